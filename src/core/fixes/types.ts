/**
 * The shapes every fix shares. A fix is a pure function of a parsed file and a context: it returns
 * text edits (data, applied by whoever owns the file) or a refusal with a one-sentence reason.
 */
import type { Node } from 'web-tree-sitter';
import type { FixId } from '../findings/finding';

export type SourceLanguage = 'python' | 'javascript' | 'typescript' | 'tsx';

/** Replace source.slice(start, end) with newText. Offsets are UTF-16 indices of the JS string. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export type FixResult = { ok: true; edits: TextEdit[]; title: string } | { ok: false; reason: string };

export interface FixContext {
  /** Cores really available to the training process (os.availableParallelism, cgroup limits). */
  cores: number;
  /** The worker count a run measured as right (input-bound evidence); else derived from cores. */
  workers?: number;
  /** The speed-up the run's figures predict for `workers` (input-bound evidence), e.g. 1.9. */
  workersSpeedup?: number;
  /** Threads to size torch's pools to with the workers: the run measured them spinning on cores the
   * workers need, and `workersSpeedup` assumes them gone (input-bound evidence). */
  threadPools?: number;
  cuda: boolean;
  bf16Supported?: boolean;
  torchVersion?: string | null;
  /** 1-based line a finding points at: chooses which call or loop to edit. */
  line?: number;
  /** Guard period for metric-every-n. */
  everyN?: number;
  /** process.platform of the training machine: darwin and win32 start DataLoader workers by spawn. */
  platform?: string;
}

/** A source file parsed once; every fix reads it, none mutates it. */
export interface ParsedFile {
  source: string;
  root: Node;
  language: SourceLanguage;
  /** The file's own line ending, reused in every inserted line. */
  newline: '\n' | '\r\n';
}

export interface Fix {
  id: FixId;
  title: string;
  languages: readonly SourceLanguage[];
  apply(file: ParsedFile, ctx: FixContext): FixResult;
  /**
   * Lines worth offering this fix on before any run (a lightbulb). Only fixes that are safe without
   * a measurement have it; every candidate is still checked by `apply` before it is offered.
   */
  candidates?(file: ParsedFile): number[];
}

/** A fix's inner refusal, phrased for the user; becomes FixResult's reason. */
export type Refusal = { refused: string };

export function isRefusal<T>(value: T | Refusal): value is Refusal {
  return typeof value === 'object' && value !== null && 'refused' in value;
}

/** The edits for one call or loop a fix changes. */
export interface TargetEdit {
  edits: TextEdit[];
  title: string;
}

/** One result for several targets: the edits of those that could be changed, else every reason. */
export function combine(results: ReadonlyArray<TargetEdit | Refusal>): FixResult {
  const done = results.filter((result): result is TargetEdit => !isRefusal(result));
  if (done.length === 0) return { ok: false, reason: results.filter(isRefusal).map((r) => r.refused).join('; ') };
  return { ok: true, edits: done.flatMap((d) => d.edits), title: done.map((d) => d.title).join('; ') };
}

/** Turns an inner refusal into the fix's result. */
export function finish(result: TargetEdit | Refusal): FixResult {
  return combine([result]);
}

/** True when a torch-style version string ("1.13.0a0+git", "2.1.2") is at least major.minor;
 * an unknown version is taken to be recent, so fixes are not withheld for missing facts. */
export function versionAtLeast(version: string | null | undefined, major: number, minor: number): boolean {
  if (!version) return true;
  const [maj, min] = version.split('.').map((part) => parseInt(part, 10));
  if (maj === undefined || Number.isNaN(maj)) return true;
  return maj > major || (maj === major && (min ?? 0) >= minor);
}
