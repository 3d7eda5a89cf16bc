/**
 * The parser-exact fixes that write tuned settings into the code (src/core/fixes): one per knob
 * the best trial changed, with what the fix needs to write that value.
 */
import type { FixId } from '../findings/finding';
import { TUNED_PREFETCH_FACTOR } from './candidates';
import type { TuneSettings } from './settings';

export interface SettingFix {
  fixId: FixId;
  /** The number the fix writes (dataloader-workers' count), when it takes one. */
  workers?: number;
  cuda?: boolean;
}

export interface SettingsFixes {
  fixes: SettingFix[];
  /** Settings no fix can write, in words. */
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
  if (settings.numThreads !== undefined) unwritable.push(`torch.set_num_threads(${settings.numThreads})`);
  return { fixes, unwritable };
}
