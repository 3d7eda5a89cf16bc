/**
 * Lightbulbs before any run: fixes offered on matching code with nothing measured yet. Only fixes
 * that cannot make a run slower or change what it computes qualify, whatever the run would show.
 */
import { detectFixes, type DetectedFix } from '../fixes/catalogue';
import type { FixId } from '../findings/finding';
import type { Grammars } from '../fixes/grammars';
import type { SourceLanguage } from '../fixes/types';
import { actionTitle } from './quick-fixes';

/**
 * Each qualifying fix with a word its code must contain: a file without any is answered without
 * parsing it (the editor asks for code actions on every cursor move).
 */
const PROACTIVE: ReadonlyMap<FixId, string> = new Map<FixId, string>([
  // Same results unless code reads .grad after zero_grad() (the fix refuses then); torch 2 already
  // does it, so on torch 2 the edit only says explicitly what happens anyway.
  ['zero-grad-set-to-none', 'zero_grad'],
  // Prefetching at the end of a pipeline only overlaps input with training: same batches, same order.
  ['tfdata-prefetch', 'Dataset'],
  ['tfjs-prefetch', 'fitDataset'],
  // Not offered before a run, because only a measurement shows they help or are safe:
  // dataloader-workers: a count from the cores alone can make a run slower (one worker doing a
  // CPU-bound loader's work serially measured 10% slower, issue 18); the run's figures give the count;
  // pin-memory and cudnn-benchmark need CUDA (unknown until the script runs; benchmark also re-tunes
  // for varying shapes and gives up determinism); persistent-workers and prefetch-factor cost memory
  // and only pay off with workers that are measured to be the bottleneck; tfdata-parallel-map runs
  // map functions concurrently, unsafe for ones with Python side effects; optimizer-foreach needs the
  // optimizer's share measured; grad-accumulation, mixed-precision and metric-every-n change training.
]);

export const PROACTIVE_FIX_IDS: ReadonlySet<FixId> = new Set(PROACTIVE.keys());

/** Cheap: true when the text could hold code a proactive fix applies to. */
export function mayHaveProactiveFixes(source: string): boolean {
  for (const word of PROACTIVE.values()) if (source.includes(word)) return true;
  return false;
}

/** The proactive fixes in this file, titled as the editor shows them. `cores`: this machine's. */
export function proactiveFixes(grammars: Grammars, source: string, language: SourceLanguage, cores: number, platform: string): DetectedFix[] {
  if (!mayHaveProactiveFixes(source)) return [];
  // No run yet: no CUDA assumed, torch version unknown (taken as recent by the fixes).
  const found = detectFixes(grammars, source, language, { cores, cuda: false, platform }, PROACTIVE_FIX_IDS);
  return found.map((fix) => ({ ...fix, title: actionTitle(fix.fixId, fix, { cores }) }));
}
