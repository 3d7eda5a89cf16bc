/**
 * File shares from a V8 CPU profile (`node --cpu-prof`) of a tfjs script run apart from TrainLens:
 * each sample, weighted by the time since the one before, goes to the file of the innermost frame
 * of the script's own code; a sample with no such frame taken while fit/fitDataset runs goes to the
 * file that called fit (training after tfjs's first await runs from microtasks, with no user frame
 * on the stack: the issue asks for it to count at the call site).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Span } from './truth';

interface ProfileNode {
  id: number;
  callFrame: { url: string; functionName: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  /** µs of the monotonic clock process.hrtime also reads. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FileShares {
  /** Share of the window's sampled time per file of the script's own code (absolute path). */
  shares: Map<string, number>;
  totalUs: number;
}

/**
 * @param ownDir the script's folder; files under it and outside node_modules are its own code
 * @param windowUs the time counted, e.g. from the first batch's end to exit (start-up left out)
 * @param fitUs when fit/fitDataset ran, and the file that called it
 */
export function fileShares(profile: CpuProfile, ownDir: string, windowUs: Span, fit: { spans: Span[]; caller: string }): FileShares {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const ownFile = new Map<number, string | null>();
  const own = (id: number): string | null => {
    if (ownFile.has(id)) return ownFile.get(id)!;
    const file = fileOf(byId.get(id)!.callFrame.url, ownDir);
    const parentId = parent.get(id);
    const result = file ?? (parentId === undefined ? null : own(parentId));
    ownFile.set(id, result);
    return result;
  };

  const weights = new Map<string, number>();
  let totalUs = 0;
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const elapsed = profile.timeDeltas[i] ?? 0;
    t += elapsed;
    if (t < windowUs[0] || t > windowUs[1]) return;
    totalUs += elapsed;
    const file = own(id) ?? (fit.spans.some(([s, e]) => t >= s && t <= e) ? fit.caller : null);
    if (file) weights.set(file, (weights.get(file) ?? 0) + elapsed);
  });
  return { shares: new Map([...weights].map(([file, us]) => [file, us / totalUs])), totalUs };
}

function fileOf(url: string, ownDir: string): string | null {
  if (!url.startsWith('file://')) return null;
  const file = fileURLToPath(url);
  const relative = path.relative(ownDir, file);
  return relative.startsWith('..') || relative.split(path.sep).includes('node_modules') ? null : file;
}
