/** Checks of the machine a run used, for the report and the panel. Pure. */
import type { HardwareEvent } from '../protocol/recording';
import type { Severity } from './findings/finding';
import { MIB } from './format';

export type HardwareIssueCode = 'ram-below-gpu-memory' | 'ram-headroom-low' | 'pcie-link-below-max' | 'multi-gpu-without-nvlink';

export interface HardwareIssue {
  code: HardwareIssueCode;
  severity: Severity;
  message: string;
  evidence: Record<string, number>;
}

/** The best PCIe link one card showed while busy (BusyPcieLinks in telemetry-accumulator.ts). */
export interface PcieUnderLoad {
  index: number;
  pcieGen: number | null;
  pcieWidth: number | null;
  busySamples: number;
}

/**
 * Idle cards drop to PCIe Gen1 to save power, so links are judged only on samples where the GPU
 * was at least this busy, and only with a few of them.
 */
export const PCIE_BUSY_UTIL_PCT = 20;
const PCIE_MIN_BUSY_SAMPLES = 3;

const GIB = 1024 ** 3;

/**
 * Rule of thumb: host RAM ≥ total GPU memory plus headroom. A full copy of what the GPUs hold
 * passes through host RAM on checkpoint save/load and CPU offload (Tim Dettmers, "A Full Hardware
 * Guide to Deep Learning": at least as much RAM as GPU memory; NVIDIA's DGX H100 pairs 640 GB of
 * GPU memory with 2 TB of RAM). The headroom for the OS, Python and DataLoader workers, 25% of GPU
 * memory and at least 8 GiB, is our own choice.
 */
function headroomBytes(gpuBytes: number): number {
  return Math.max(8 * GIB, 0.25 * gpuBytes);
}

/** Usable GB/s per lane and direction after line encoding (8b/10b to Gen2, 128b/130b from Gen3). */
const PCIE_GBPS_PER_LANE: Record<number, number> = { 1: 0.25, 2: 0.5, 3: 0.985, 4: 1.969, 5: 3.938, 6: 7.563 };

function linkGBps(gen: number, width: number): number | null {
  const perLane = PCIE_GBPS_PER_LANE[gen];
  return perLane === undefined ? null : perLane * width;
}

function gib(bytes: number): string {
  return `${(bytes / GIB).toFixed(0)} GiB`;
}

function checkRam(hw: HardwareEvent): HardwareIssue[] {
  const gpuBytes = hw.gpus.reduce((total, g) => total + (g.memTotalMiB ?? 0) * MIB, 0);
  if (gpuBytes === 0) return [];
  const headroom = headroomBytes(gpuBytes);
  const evidence = { ramBytes: hw.memTotalBytes, gpuMemBytes: gpuBytes, headroomBytes: headroom };
  if (hw.memTotalBytes < gpuBytes) {
    return [{
      code: 'ram-below-gpu-memory',
      severity: 'high',
      message: `RAM (${gib(hw.memTotalBytes)}) is smaller than total GPU memory (${gib(gpuBytes)}): saving or loading a checkpoint that fills the GPUs, or CPU offload, can run out of host memory.`,
      evidence,
    }];
  }
  if (hw.memTotalBytes < gpuBytes + headroom) {
    return [{
      code: 'ram-headroom-low',
      severity: 'moderate',
      message: `RAM (${gib(hw.memTotalBytes)}) leaves less than ${gib(headroom)} beyond total GPU memory (${gib(gpuBytes)}) for the OS, Python and DataLoader workers.`,
      evidence,
    }];
  }
  return [];
}

function checkPcie(hw: HardwareEvent, links: readonly PcieUnderLoad[]): HardwareIssue[] {
  const issues: HardwareIssue[] = [];
  for (const card of hw.gpus) {
    const seen = links.find((l) => l.index === card.index);
    if (seen === undefined || seen.busySamples < PCIE_MIN_BUSY_SAMPLES) continue;
    const { pcieGen: gen, pcieWidth: width } = seen;
    const { pcieGenMax: genMax, pcieWidthMax: widthMax } = card;
    if (gen === null || width === null || genMax === null || widthMax === null) continue;
    if (gen >= genMax && width >= widthMax) continue;
    const now = linkGBps(gen, width);
    const best = linkGBps(genMax, widthMax);
    const share = now !== null && best !== null ? now / best : null;
    issues.push({
      code: 'pcie-link-below-max',
      severity: 'moderate',
      // pcie.link.*.max is what this card and this slot both allow, so the gap is a degraded link
      // (riser, BIOS setting, dirty contacts) rather than a slower slot.
      message:
        `GPU ${card.index} (${card.name}) ran at PCIe Gen${gen} x${width} under load although Gen${genMax} x${widthMax} is possible` +
        (share !== null ? `: host↔GPU copies get ${Math.round(share * 100)}% of the bandwidth.` : '.'),
      evidence: { gpuIndex: card.index, pcieGen: gen, pcieWidth: width, pcieGenMax: genMax, pcieWidthMax: widthMax, busySamples: seen.busySamples, ...(share !== null ? { bandwidthShare: share } : {}) },
    });
  }
  return issues;
}

export function checkHardware(hw: HardwareEvent, links: readonly PcieUnderLoad[] = []): HardwareIssue[] {
  const issues = [...checkRam(hw), ...checkPcie(hw, links)];
  if (hw.gpus.length >= 2 && hw.nvlink === false) {
    issues.push({
      code: 'multi-gpu-without-nvlink',
      severity: 'info',
      message: `${hw.gpus.length} GPUs without NVLink: multi-GPU training exchanges gradients over PCIe.`,
      evidence: { gpus: hw.gpus.length },
    });
  }
  return issues;
}

/**
 * Peak dense (no sparsity) FP16/BF16 tensor-core TFLOP/s with FP32 accumulate, the figure mixed
 * precision training can reach. From NVIDIA's datasheets and architecture whitepapers (their
 * "with sparsity" figures halved); GeForce cards are listed at their FP32-accumulate rate, half the
 * FP16-accumulate one (Ampere and Ada whitepapers). A10G: AWS publishes none; 70 is the figure
 * Baseten's "NVIDIA A10 vs A10G" cites. First match wins, so variants come before base names.
 */
const PEAK_TFLOPS: ReadonlyArray<readonly [RegExp, number]> = [
  [/B200/i, 2250],
  [/H[18]00.*PCIe/i, 756],
  [/H100 NVL|H200 NVL/i, 835],
  [/H100|H200|H800/i, 989],
  [/A100/i, 312],
  [/A10G/i, 70],
  [/A10\b/i, 125],
  [/A30\b/i, 165],
  [/A40\b/i, 149.7],
  [/L40S/i, 362],
  [/L40\b/i, 181],
  [/L4\b/i, 121],
  [/RTX 6000 Ada/i, 364.2],
  [/RTX A6000/i, 154.8],
  [/RTX 4090/i, 165.2],
  [/RTX 3090 Ti/i, 80],
  [/RTX 3090/i, 71],
  [/V100S/i, 130],
  [/V100.*PCIE/i, 112],
  [/V100/i, 125],
  [/T4\b/i, 65],
];

/** Null for cards not in the table: no utilisation ratio beats a wrong one. */
export function peakTflops(gpuName: string): number | null {
  return PEAK_TFLOPS.find(([pattern]) => pattern.test(gpuName))?.[1] ?? null;
}
