/**
 * The runs finished in this session, for Re-run and Compare: which run to repeat, and the repeats
 * of one command on one version of the code, whose spread is the noise band of the comparison.
 */
import type { NoiseSamples } from '../compare';
import type { RunSummary } from '../summary';

/** Enough repeats for a noise band; older runs say little about today's machine load. */
const KEPT_RUNS = 20;

/** What makes two runs repeats of each other: the same command, directory, environment and code. */
export interface RunIdentity {
  command: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Digest of the script's text when the run started; null when it could not be read. */
  codeDigest: string | null;
}

export interface FinishedRun<Recipe> {
  /** Whatever starts the run again (the extension keeps its launch request here). */
  recipe: Recipe;
  identity: RunIdentity;
  summary: RunSummary;
}

export class RunHistory<Recipe> {
  private runs: Array<FinishedRun<Recipe>> = [];

  add(run: FinishedRun<Recipe>): void {
    this.runs = [...this.runs, run].slice(-KEPT_RUNS);
  }

  /** The run Re-run and Compare repeats: the latest that measured something (a failed run did not). */
  get latest(): FinishedRun<Recipe> | undefined {
    return [...this.runs].reverse().find((run) => run.summary.status !== 'failed');
  }

  /**
   * Throughput of every run that repeated `run` exactly, itself included. A run with unreadable code
   * has no repeats: it cannot be told whether the code was the same.
   */
  noiseSamples(run: FinishedRun<Recipe>): NoiseSamples {
    const repeats = run.identity.codeDigest === null ? [run] : this.runs.filter((other) => sameRun(other.identity, run.identity));
    return { batchesPerSec: repeats.flatMap((r) => (r.summary.status === 'failed' || r.summary.throughput.batchesPerSec === null ? [] : [r.summary.throughput.batchesPerSec])) };
  }
}

function sameRun(a: RunIdentity, b: RunIdentity): boolean {
  return a.codeDigest === b.codeDigest && a.cwd === b.cwd && sameList(a.command, b.command) && sameEnv(a.env, b.env);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function sameEnv(a: RunIdentity['env'], b: RunIdentity['env']): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key] === b[key]);
}
