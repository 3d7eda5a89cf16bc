/** Folds telemetry samples into the summary's figures. */
import type { TelemetryEvent } from '../protocol/recording';
import { max, mean, quantile } from './stats';
import type { TelemetrySummary } from './summary';

export class TelemetryAccumulator {
  private readonly cpuPct: number[] = [];
  private readonly systemCpuPct: number[] = [];
  private readonly rssBytes: number[] = [];
  private readonly gpuUtilPct: number[] = [];
  private readonly gpuMemUsedMiB: number[] = [];
  private readonly ownGpuMemMiB: number[] = [];
  private gpuMemTotalMiB: number | null = null;
  count = 0;

  add(sample: TelemetryEvent): void {
    this.count++;
    this.cpuPct.push(sample.proc.cpuPct);
    this.rssBytes.push(sample.proc.rssBytes);
    this.systemCpuPct.push(sample.system.cpuPct);
    const gpus = sample.gpus ?? [];
    const utils = gpus.map((g) => g.utilPct).filter((v): v is number => v !== null);
    // Several GPUs: the mean over cards is what "how busy are my GPUs" means for one run.
    const utilMean = mean(utils);
    if (utilMean !== null) this.gpuUtilPct.push(utilMean);
    const used = gpus.map((g) => g.memUsedMiB).filter((v): v is number => v !== null);
    if (used.length > 0) this.gpuMemUsedMiB.push(Math.max(...used));
    const totals = gpus.map((g) => g.memTotalMiB).filter((v): v is number => v !== null);
    if (totals.length > 0) this.gpuMemTotalMiB = Math.max(...totals);
    if (typeof sample.ownGpuMemMiB === 'number') this.ownGpuMemMiB.push(sample.ownGpuMemMiB);
  }

  summary(): TelemetrySummary | null {
    if (this.count === 0) return null;
    return {
      samples: this.count,
      cpuPctMean: mean(this.cpuPct),
      rssPeakBytes: max(this.rssBytes),
      systemCpuPctMean: mean(this.systemCpuPct),
      gpuUtilPctMean: mean(this.gpuUtilPct),
      gpuUtilPctP95: quantile(this.gpuUtilPct, 0.95),
      gpuMemPeakMiB: max(this.gpuMemUsedMiB),
      gpuMemTotalMiB: this.gpuMemTotalMiB,
      ownGpuMemPeakMiB: max(this.ownGpuMemMiB),
    };
  }
}
