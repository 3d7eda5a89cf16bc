/** Number formatting shared by the CLI report, the status bar and the panel. */

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function formatShare(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '–';
  const pct = share * 100;
  return pct >= 10 || pct === 0 ? `${Math.round(pct)}%` : `${pct.toFixed(1)}%`;
}

export function formatPct(pct: number | null | undefined): string {
  return pct === null || pct === undefined ? '–' : formatShare(pct / 100);
}

/** A change in percent with its sign, e.g. +12.3% or −4.0% (a true minus sign). */
export function formatSignedPct(pct: number | null | undefined): string {
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return '–';
  return `${pct >= 0 ? '+' : '−'}${Math.abs(pct).toFixed(1)}%`;
}

/** 3 significant-ish digits: 0.123, 4.56, 42.1, 1234. */
export function formatRate(perSec: number | null | undefined): string {
  if (perSec === null || perSec === undefined || !Number.isFinite(perSec)) return '–';
  if (perSec >= 1000) return Math.round(perSec).toLocaleString('en-US');
  if (perSec >= 100) return perSec.toFixed(0);
  if (perSec >= 10) return perSec.toFixed(1);
  if (perSec >= 1) return perSec.toFixed(2);
  return perSec.toFixed(3);
}

/** Short enough for the status bar: 987, 12.3k, 4.56M (tokens/s of a language model run to millions). */
export function formatCompactRate(perSec: number | null | undefined): string {
  if (perSec === null || perSec === undefined || !Number.isFinite(perSec) || perSec < 10_000) return formatRate(perSec);
  return perSec < 1_000_000 ? `${formatRate(perSec / 1000)}k` : `${formatRate(perSec / 1_000_000)}M`;
}

/** Bytes per MiB: GPU memory is reported in MiB (nvidia-smi), formatted from bytes. */
export const MIB = 1024 ** 2;

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** Display names of stages, e.g. in tables. */
export const STAGE_LABELS = {
  data: 'data',
  forward: 'forward',
  backward: 'backward',
  forwardBackward: 'forward+backward',
  optimizer: 'optimizer',
  other: 'other',
  startup: 'start-up',
  none: 'outside steps',
} as const;

/**
 * "stage times from 120 of 4,000 steps" where the runner timed the stages of a sample of the steps
 * (staged-steps.ts); null when every step was timed, so nothing new shows then.
 */
export function stagedStepsText(stagedSteps: number | undefined, steps: number): string | null {
  if (stagedSteps === undefined || stagedSteps >= steps) return null;
  return `stage times from ${stagedSteps.toLocaleString('en-US')} of ${steps.toLocaleString('en-US')} steps`;
}
