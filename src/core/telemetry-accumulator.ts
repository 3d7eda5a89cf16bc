/**
 * Folds telemetry samples into the summary's figures. Means and peaks are running values; only
 * the per-sample GPU utilisation is kept, for its exact p95 (8 bytes a second of run).
 */
import type { TelemetryEvent } from '../protocol/recording';
import { PCIE_BUSY_UTIL_PCT, type PcieUnderLoad } from './hardware-check';
import { mean, quantile } from './stats';
import type { TelemetrySummary } from './summary';

class Running {
  private total = 0;
  private n = 0;
  private top: number | null = null;

  add(value: number): void {
    this.total += value;
    this.n++;
    this.top = this.top === null ? value : Math.max(this.top, value);
  }

  get mean(): number | null {
    return this.n === 0 ? null : this.total / this.n;
  }

  get max(): number | null {
    return this.top;
  }
}

export class TelemetryAccumulator {
  private readonly cpuPct = new Running();
  private readonly rssBytes = new Running();
  private readonly systemCpuPct = new Running();
  private readonly gpuUtilPct: number[] = [];
  private readonly gpuMemUsedMiB = new Running();
  private readonly ownGpuMemMiB = new Running();
  private gpuMemTotalMiB: number | null = null;
  private readonly links = new BusyPcieLinks();
  count = 0;

  add(sample: TelemetryEvent): void {
    this.count++;
    // processes 0: the sampler could not see the tree (no ps on this platform), or every process of
    // it had exited (a last sample taken while the run is reaped): not an idle run, nor 0 bytes.
    if (sample.proc.processes > 0) {
      this.cpuPct.add(sample.proc.cpuPct);
      this.rssBytes.add(sample.proc.rssBytes);
    }
    this.systemCpuPct.add(sample.system.cpuPct);
    const gpus = sample.gpus ?? [];
    const utils = gpus.map((g) => g.utilPct).filter((v): v is number => v !== null);
    // Several GPUs: the mean over cards is what "how busy are my GPUs" means for one run.
    const utilMean = mean(utils);
    if (utilMean !== null) this.gpuUtilPct.push(utilMean);
    const used = gpus.map((g) => g.memUsedMiB).filter((v): v is number => v !== null);
    if (used.length > 0) this.gpuMemUsedMiB.add(Math.max(...used));
    const totals = gpus.map((g) => g.memTotalMiB).filter((v): v is number => v !== null);
    if (totals.length > 0) this.gpuMemTotalMiB = Math.max(...totals);
    if (typeof sample.ownGpuMemMiB === 'number') this.ownGpuMemMiB.add(sample.ownGpuMemMiB);
    this.links.add(sample);
  }

  summary(): TelemetrySummary | null {
    if (this.count === 0) return null;
    return {
      samples: this.count,
      cpuPctMean: this.cpuPct.mean,
      rssPeakBytes: this.rssBytes.max,
      systemCpuPctMean: this.systemCpuPct.mean,
      gpuUtilPctMean: mean(this.gpuUtilPct),
      gpuUtilPctP95: quantile(this.gpuUtilPct, 0.95),
      gpuMemPeakMiB: this.gpuMemUsedMiB.max,
      gpuMemTotalMiB: this.gpuMemTotalMiB,
      ownGpuMemPeakMiB: this.ownGpuMemMiB.max,
    };
  }

  pcieUnderLoad(): PcieUnderLoad[] {
    return this.links.underLoad();
  }
}

/**
 * Per GPU, the best PCIe link seen while it was busy: the input of checkHardware's link check, for
 * the summary and for the panel (which needs nothing else of the accumulator).
 */
export class BusyPcieLinks {
  private readonly byGpu = new Map<number, PcieUnderLoad>();

  add(sample: TelemetryEvent): void {
    for (const g of sample.gpus ?? []) {
      if (g.utilPct === null || g.utilPct < PCIE_BUSY_UTIL_PCT) continue;
      const best = this.byGpu.get(g.index) ?? { index: g.index, pcieGen: null, pcieWidth: null, busySamples: 0 };
      best.busySamples++;
      if (g.pcieGen !== null) best.pcieGen = Math.max(best.pcieGen ?? g.pcieGen, g.pcieGen);
      if (g.pcieWidth !== null) best.pcieWidth = Math.max(best.pcieWidth ?? g.pcieWidth, g.pcieWidth);
      this.byGpu.set(g.index, best);
    }
  }

  underLoad(): PcieUnderLoad[] {
    return [...this.byGpu.values()].map((l) => ({ ...l })).sort((a, b) => a.index - b.index);
  }
}
