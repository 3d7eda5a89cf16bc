/**
 * The runner's options, read from the one JSON environment variable the host sets (RunnerOptions in
 * src/host/launch/plan.ts; the preload imports nothing outside the protocol, so it checks the
 * foreign JSON field by field here), and how we take ourselves out of the environment again.
 */
import { PROTOCOL_VERSION } from '../../protocol/events';
import type { ProbeMode } from './ceiling-probe';

/** Same name as RUNNER_OPTIONS_ENV in src/host/launch/plan.ts. */
export const OPTIONS_ENV = 'TRAINLENS_OPTIONS';

export interface PreloadOptions {
  socket: string;
  token: string;
  sampleHz: number;
  /** RunnerOptions.longRun: from `afterS` seconds into the run on, lines are sampled at `sampleHz`. */
  longRun?: { sampleHz: number; afterS: number };
  flushMs: number;
  /** Present (a string, or null when it was unset) when the host injected us through NODE_OPTIONS:
   * the user's own NODE_OPTIONS, to restore. Absent when we are on node's command line. */
  nodeOptions?: string | null;
  /** A ceiling probe run (RunnerOptions.probe and probeSteps), see ceiling-probe.ts. */
  probe?: { mode: ProbeMode; steps: number };
}

/** Default when the host sends no usable rate: the host's own default (DEFAULT_NODE_SAMPLE_HZ). */
const DEFAULT_SAMPLE_HZ = 50;
const MIN_FLUSH_MS = 50;
const DEFAULT_PROBE_STEPS = 30;
const MAX_PROBE_STEPS = 10_000;

/** The options, or a reason they cannot be used. */
export function parseOptions(raw: string): PreloadOptions | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return `${OPTIONS_ENV} is not JSON`;
  }
  if (typeof value !== 'object' || value === null) return `${OPTIONS_ENV} is not an object`;
  const o = value as Record<string, unknown>;
  if (o.v !== PROTOCOL_VERSION) return `host speaks protocol ${String(o.v)}, this runner ${PROTOCOL_VERSION}`;
  if (typeof o.socket !== 'string' || typeof o.token !== 'string') return `${OPTIONS_ENV} lacks socket or token`;
  const options: PreloadOptions = {
    socket: o.socket,
    token: o.token,
    sampleHz: typeof o.sampleHz === 'number' && o.sampleHz > 0 && o.sampleHz <= 100_000 ? o.sampleHz : DEFAULT_SAMPLE_HZ,
    flushMs: typeof o.flushMs === 'number' && o.flushMs >= MIN_FLUSH_MS ? o.flushMs : 250,
  };
  const longRun = o.longRun as Record<string, unknown> | null | undefined;
  if (typeof longRun?.sampleHz === 'number' && longRun.sampleHz > 0 && longRun.sampleHz <= options.sampleHz && typeof longRun.afterS === 'number' && longRun.afterS >= 0) {
    options.longRun = { sampleHz: longRun.sampleHz, afterS: longRun.afterS };
  }
  if ('nodeOptions' in o) options.nodeOptions = typeof o.nodeOptions === 'string' ? o.nodeOptions : null;
  if (o.probe === 'data-only' || o.probe === 'compute-only') {
    const steps = Number.isInteger(o.probeSteps) && (o.probeSteps as number) >= 1 && (o.probeSteps as number) <= MAX_PROBE_STEPS;
    options.probe = { mode: o.probe, steps: steps ? (o.probeSteps as number) : DEFAULT_PROBE_STEPS };
  }
  return options;
}

/** Child processes of the script must inherit nothing of ours. */
export function leaveEnvironment(options: PreloadOptions | null): void {
  delete process.env[OPTIONS_ENV];
  if (options?.nodeOptions === undefined) return;
  if (options.nodeOptions === null) delete process.env.NODE_OPTIONS;
  else process.env.NODE_OPTIONS = options.nodeOptions;
}
