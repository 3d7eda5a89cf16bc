/** The facts a fix needs, taken from the run that raised the finding (the CLI and the editor share this). */
import { isCudaRun } from '../findings/measures';
import type { Finding } from '../findings/finding';
import type { RunSummary } from '../summary';
import type { FixContext } from './types';

/** What only the machine applying the fix knows: the run ran here, so its cores and platform are these. */
export interface LocalFacts {
  cores: number;
  platform: string;
}

export function fixContextForRun(summary: RunSummary, finding: Finding, local: LocalFacts): FixContext {
  return {
    // The cores the findings engine counted, when it says; else this machine's. (hardware.cpu counts
    // logical cores without cgroup limits, so it would overstate what a container may use.)
    cores: finding.evidence.cores ?? local.cores,
    // Measured by the input-bound finding (it knows whether loading waits or computes).
    ...(finding.evidence.suggestedWorkers !== undefined && { workers: finding.evidence.suggestedWorkers }),
    ...(finding.evidence.expectedSpeedup !== undefined && { workersSpeedup: finding.evidence.expectedSpeedup }),
    ...(finding.evidence.spinningCores !== undefined && { threadPools: 1 }),
    cuda: isCudaRun(summary),
    torchVersion: summary.framework === 'pytorch' ? summary.frameworkVersion : null,
    platform: local.platform,
  };
}
