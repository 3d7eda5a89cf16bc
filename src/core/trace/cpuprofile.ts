/**
 * A V8 CPU profile (`.cpuprofile`: Chrome DevTools, `node --cpu-prof`) as time by line. Each
 * sample goes to the innermost frame in the user's own code (not node_modules, not Node's
 * internals), at the line V8 saw it on when that frame is the sampled one (positionTicks), else at
 * the function's first line; library frames below it are its call path. A profile has no training
 * steps, so the recording shows time by line only.
 */
import type { LineEntry, LinesEvent } from '../../protocol/events';
import type { ImportedRun } from './imported-run';
import { TraceFormatError } from './json-stream';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
  positionTicks?: Array<{ line: number; ticks: number }>;
}

const MAX_PATH_FRAMES = 8;

export function isCpuProfile(value: unknown): boolean {
  const v = value as { nodes?: unknown; startTime?: unknown; endTime?: unknown } | null;
  return typeof v === 'object' && v !== null && Array.isArray(v.nodes) && typeof v.startTime === 'number' && typeof v.endTime === 'number';
}

export function importCpuProfile(value: unknown): ImportedRun {
  if (!isCpuProfile(value)) throw new TraceFormatError('not a V8 CPU profile: no "nodes", "startTime" and "endTime"');
  const profile = value as { nodes: unknown[]; startTime: number; endTime: number; samples?: unknown };
  const nodes = new Map<number, ProfileNode>();
  for (const node of profile.nodes) if (isNode(node)) nodes.set(node.id, node);
  if (nodes.size === 0) throw new TraceFormatError('the CPU profile has no call tree nodes');
  const parent = new Map<number, ProfileNode>();
  for (const node of nodes.values()) for (const child of node.children ?? []) parent.set(child, node);
  const hits = hitCounts(nodes, profile.samples);
  const totalHits = [...hits.values()].reduce((a, b) => a + b, 0);
  const durationMs = Math.max(0, (profile.endTime - profile.startTime) / 1000);
  const msPerHit = totalHits > 0 ? durationMs / totalHits : 0;
  const entries = new Map<string, LineEntry & { ms: number }>();
  for (const [id, count] of hits) {
    const node = nodes.get(id) as ProfileNode;
    const chain: ProfileNode[] = [];
    for (let n: ProfileNode | undefined = node; n; n = parent.get(n.id)) chain.push(n);
    const ownAt = chain.findIndex((n) => isUserUrl(n.callFrame.url));
    if (ownAt < 0) continue;
    const own = chain[ownAt] as ProfileNode;
    const path = chain.slice(0, ownAt).reverse().slice(0, MAX_PATH_FRAMES).map(frameName);
    const file = fileOf(own.callFrame.url);
    const ticks = ownAt === 0 && own.positionTicks && own.positionTicks.length > 0 ? own.positionTicks : [{ line: own.callFrame.lineNumber + 1, ticks: 1 }];
    const tickTotal = ticks.reduce((a, t) => a + t.ticks, 0);
    for (const { line, ticks: n } of ticks) {
      const share = n / tickTotal;
      const key = `${file}\0${line}\0${path.join('\n')}`;
      const entry = entries.get(key) ?? { file, line, fn: own.callFrame.functionName || '(anonymous)', stage: 'none' as const, count: 0, ms: 0, path };
      entry.count += count * share;
      entry.ms += count * share * msPerHit;
      entries.set(key, entry);
    }
  }
  const lines: LinesEvent = {
    type: 'lines',
    t: 0,
    periodMs: durationMs,
    samples: totalHits,
    entries: [...entries.values()].map((e) => ({ ...e, count: Math.max(1, Math.round(e.count)), ms: Math.round(e.ms * 1000) / 1000 })),
  };
  return {
    format: 'v8-cpuprofile',
    framework: null,
    runner: 'node',
    device: 'cpu',
    steps: [],
    stages: [],
    lines,
    durationMs,
    rank: null,
    worldSize: null,
    gpuTime: null,
    noStepsWhy: 'a V8 CPU profile marks no training steps',
    notes: [],
  };
}

/** Samples per node: from the sample list when there is one (hitCount may be absent), else hitCount. */
function hitCounts(nodes: Map<number, ProfileNode>, samples: unknown): Map<number, number> {
  const hits = new Map<number, number>();
  if (Array.isArray(samples) && samples.length > 0) {
    for (const id of samples) if (typeof id === 'number' && nodes.has(id)) hits.set(id, (hits.get(id) ?? 0) + 1);
  } else {
    for (const node of nodes.values()) if (node.hitCount) hits.set(node.id, node.hitCount);
  }
  return hits;
}

function isNode(value: unknown): value is ProfileNode {
  const v = value as ProfileNode | null;
  return typeof v === 'object' && v !== null && Number.isInteger(v.id) && typeof v.callFrame === 'object' && v.callFrame !== null && typeof v.callFrame.url === 'string';
}

function isUserUrl(url: string): boolean {
  return url !== '' && !url.startsWith('node:') && !/^(internal|evalmachine)/.test(url) && !/[\\/]node_modules[\\/]/.test(url);
}

/** `file:///a/b%20c.js` → `/a/b c.js`; other URLs stay as they are. */
function fileOf(url: string): string {
  if (!url.startsWith('file://')) return url;
  try {
    return decodeURIComponent(url.slice('file://'.length));
  } catch {
    return url.slice('file://'.length);
  }
}

function frameName(node: ProfileNode): string {
  const url = node.callFrame.url;
  const inModules = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(url);
  const module = inModules?.[1] ?? (url.split(/[\\/]/).pop() || '(native)');
  return `${module}:${node.callFrame.functionName || '(anonymous)'}`;
}
