/**
 * The parser-exact edits that write tuned settings into the code: one fix of the catalogue
 * (src/core/fixes) per DataLoader or cuDNN knob the best trial changed, with what the fix needs to
 * write that value, and tuning's own edit for the thread count (threads-edit.ts).
 */
import type { FixId } from '../findings/finding';
import { TUNED_PREFETCH_FACTOR } from './candidates';
import type { TuneSettings } from './settings';
import { THREADS_EDIT_ID } from './threads-edit';

export type SettingFix =
  | {
      fixId: FixId;
      /** The number the fix writes (dataloader-workers' count), when it takes one. */
      workers?: number;
      cuda?: boolean;
    }
  | { fixId: typeof THREADS_EDIT_ID; threads: number };

export interface SettingsFixes {
  fixes: SettingFix[];
  /** Settings no edit can write, in words. */
  unwritable: string[];
}

export function fixesForSettings(settings: TuneSettings): SettingsFixes {
  const fixes: SettingFix[] = [];
  const unwritable: string[] = [];
  if (settings.numWorkers !== undefined) fixes.push({ fixId: 'dataloader-workers', workers: settings.numWorkers });
  if (settings.prefetchFactor === TUNED_PREFETCH_FACTOR) fixes.push({ fixId: 'dataloader-prefetch-factor' });
  else if (settings.prefetchFactor !== undefined) unwritable.push(`prefetch_factor=${settings.prefetchFactor}`);
  if (settings.persistentWorkers === true) fixes.push({ fixId: 'dataloader-persistent-workers' });
  if (settings.pinMemory === true) fixes.push({ fixId: 'dataloader-pin-memory', cuda: true });
  if (settings.cudnnBenchmark === true) fixes.push({ fixId: 'cudnn-benchmark', cuda: true });
  if (settings.numThreads !== undefined) fixes.push({ fixId: THREADS_EDIT_ID, threads: settings.numThreads });
  return { fixes, unwritable };
}
