/**
 * Shapes of the events the host writes into a recording itself (protocol/recording.ts). They come
 * back from disk, where anything may have happened to them (a hand edit, another version, a
 * corrupt block), and the summary reads their fields without looking: `{"type":"hardware"}` alone
 * made the summary rebuild throw. A line that does not match is skipped and counted, as a runner
 * event that does not match the wire is.
 */
import { hasKind as hasWireKind, isRecord } from '../../protocol/decode';

/** A field's kind; a trailing '?' allows absent and null, as in wire.json. */
type Kind = 'string' | 'number' | 'int' | 'boolean' | 'string[]' | Shape | [Shape];
interface Shape {
  [field: string]: Kind | `${'string' | 'number' | 'int' | 'boolean'}?` | { optional: Kind };
}

const GPU_SAMPLE: Shape = {
  index: 'int',
  utilPct: 'number?',
  memUtilPct: 'number?',
  memUsedMiB: 'number?',
  memTotalMiB: 'number?',
  powerW: 'number?',
  smClockMHz: 'number?',
  tempC: 'number?',
  pcieGen: 'number?',
  pcieWidth: 'number?',
};

const HOST_EVENTS: Record<string, Shape> = {
  run: { format: 'int', id: 'string', command: 'string[]', cwd: 'string', startedAtMs: 'number', sampleHz: 'number' },
  exit: { t: 'number', exitCode: 'int?', signal: 'string?', status: 'string', stopReason: 'string?' },
  telemetry: {
    t: 'number',
    proc: { cpuPct: 'number', rssBytes: 'number', processes: 'int' },
    system: { cpuPct: 'number', memUsedBytes: 'number', memTotalBytes: 'number' },
    gpus: { optional: [GPU_SAMPLE] },
    ownGpuMemMiB: 'number?',
  },
  hardware: {
    cpu: { model: 'string', physicalCores: 'int', logicalCores: 'int' },
    memTotalBytes: 'number',
    gpus: [{ index: 'int', name: 'string', memTotalMiB: 'number?', pcieGenMax: 'number?', pcieWidthMax: 'number?' }],
    nvlink: 'boolean?',
    gpuNote: 'string?',
  },
  import: {
    file: 'string',
    format: 'string',
    rank: 'int?',
    worldSize: 'int?',
    gpuTime: { optional: { busyShare: 'number', communicationShare: 'number', topKernels: [{ name: 'string', ms: 'number', count: 'int' }] } },
  },
};

/** False when `value` is a host event whose fields do not match its type's shape; types without one pass. */
export function fitsHostEventShape(value: Record<string, unknown>): boolean {
  const shape = typeof value.type === 'string' && Object.prototype.hasOwnProperty.call(HOST_EVENTS, value.type) ? HOST_EVENTS[value.type] : undefined;
  return shape === undefined || fits(value, shape);
}

function fits(value: unknown, shape: Shape): boolean {
  if (!isRecord(value)) return false;
  return Object.entries(shape).every(([name, kind]) => {
    const field = value[name];
    if (typeof kind === 'string' && kind.endsWith('?')) return field === undefined || field === null || hasKind(field, kind.slice(0, -1) as Kind);
    if (isRecord(kind) && 'optional' in kind) return field === undefined || field === null || hasKind(field, kind.optional as Kind);
    return hasKind(field, kind as Kind);
  });
}

function hasKind(value: unknown, kind: Kind): boolean {
  if (Array.isArray(kind)) return Array.isArray(value) && value.every((item) => fits(item, kind[0]));
  if (typeof kind === 'object') return fits(value, kind);
  return hasWireKind(value, kind);
}
