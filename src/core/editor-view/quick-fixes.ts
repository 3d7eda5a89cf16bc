/**
 * Which quick fixes the editor offers on TrainLens diagnostics, as data: the finding behind each
 * diagnostic, one action per fix the finding lists, the titles users see, the preferred one.
 */
import { fixById } from '../fixes/catalogue';
import { formatSpeedup } from '../findings/loaders';
import type { Finding } from '../findings/finding';
import type { FixContext, FixResult, TextEdit } from '../fixes/types';

/** The editor's languages that have fixes; the provider registers for these and nothing else. */
export const QUICK_FIX_LANGUAGES = ['python', 'javascript', 'typescript'] as const;

/**
 * The finding a diagnostic shows. Edits move diagnostics away from the line a finding recorded, so
 * the code decides (a run has one finding per code); the line only breaks ties between several.
 */
export function findingForDiagnostic(
  findings: readonly Finding[],
  script: string | null,
  file: string,
  code: string,
  line0: number,
): Finding | undefined {
  const here = findings.filter(
    (f) => f.code === code && (f.locations.some((l) => l.file === file) || (f.locations.length === 0 && script === file)),
  );
  const distance = (f: Finding): number =>
    Math.min(Infinity, ...f.locations.filter((l) => l.file === file).map((l) => Math.abs(l.line - 1 - line0)));
  return here.sort((a, b) => distance(a) - distance(b))[0];
}

/** A TrainLens diagnostic in the code-action request, with the finding behind it. */
export interface DiagnosticFinding {
  /** Position in the request's diagnostics, so the action can name the diagnostics it resolves. */
  index: number;
  /** 0-based line the diagnostic is on now. */
  line0: number;
  finding: Finding;
}

export interface QuickFixPlan {
  fixId: string;
  /** 1-based line the fix was asked for. */
  line: number;
  title: string;
  /** Null when the fix refused; `refusal` says why. */
  edits: TextEdit[] | null;
  refusal: string | null;
  preferred: boolean;
  /** Indexes of the diagnostics this action resolves. */
  diagnostics: number[];
}

/**
 * One action per (fix, line), most impactful finding first; a fix two findings list at the same line
 * is one action resolving both. The first fix that applies is the preferred one.
 */
export function planQuickFixes(
  targets: readonly DiagnosticFinding[],
  contextFor: (finding: Finding) => FixContext,
  apply: (fixId: string, ctx: FixContext) => FixResult,
): QuickFixPlan[] {
  const plans = new Map<string, QuickFixPlan>();
  for (const target of [...targets].sort((a, b) => b.finding.impact - a.finding.impact)) {
    const line = target.line0 + 1;
    for (const fixId of target.finding.fixes) {
      const key = `${fixId}@${line}`;
      const existing = plans.get(key);
      if (existing) {
        existing.diagnostics.push(target.index);
        continue;
      }
      const ctx: FixContext = { ...contextFor(target.finding), line };
      const result = apply(fixId, ctx);
      plans.set(key, {
        fixId,
        line,
        title: result.ok ? actionTitle(fixId, result, ctx) : (fixById(fixId)?.title ?? fixId),
        edits: result.ok ? result.edits : null,
        refusal: result.ok ? null : result.reason,
        preferred: false,
        diagnostics: [target.index],
      });
    }
  }
  const list = [...plans.values()];
  const first = list.find((plan) => plan.edits !== null);
  if (first) first.preferred = true;
  return list;
}

/**
 * The title in the Ctrl+. menu. The workers fix says the number and why, in words that do not depend
 * on whether num_workers was missing, 0 or too high; the others keep the fix's own specific title.
 * The number is read from the edit itself, so the title cannot disagree with what gets written.
 */
export function actionTitle(fixId: string, fix: { title: string; edits: readonly TextEdit[] }, ctx: Pick<FixContext, 'cores' | 'workersSpeedup'>): string {
  if (fixId !== 'dataloader-workers') return fix.title;
  const workers = /(\d+)\D*$/.exec(fix.edits.map((edit) => edit.newText).join(''))?.[1];
  if (workers === undefined) return fix.title;
  const cores = Math.floor(ctx.cores);
  // What the run's loading and step times predict for the count (the input-bound finding's figure).
  const gain = ctx.workersSpeedup !== undefined && ctx.workersSpeedup > 1 ? `: expected up to ${formatSpeedup(ctx.workersSpeedup)} faster` : '';
  // Written with the workers where the run measured torch's pools spinning (dataloader-workers.ts).
  const pools = fix.edits.find((edit) => edit.newText.includes('OPENBLAS_NUM_THREADS'));
  const threads = pools && /"(\d+)"/.exec(pools.newText)?.[1];
  const poolsWords = threads ? ` and torch's thread pools to ${threads} ${threads === '1' ? 'thread' : 'threads'}` : '';
  return `Set DataLoader num_workers=${workers}${poolsWords} (${cores} ${cores === 1 ? 'core' : 'cores'} available)${gain}`;
}
