/**
 * Line sampling with V8's CPU profiler through an in-process inspector session (no port opened).
 *
 * Windows: the profile is collected in windows that overlap by a moment (two console profiles,
 * started and ended alternately). Stopping the last running profile makes V8 drop its code map, and
 * the next start re-logs every function in the heap: with tfjs loaded that is ~17 ms per restart
 * (measured), over 5% at four windows a second. With one profile always running, a swap costs
 * ~0.1 ms plus the window's serialisation.
 *
 * Lines: V8 records source lines only for the sampled (leaf) function (`positionTicks`, per window,
 * not per sample). So a sample whose innermost user function is the leaf gets a line from those
 * ticks, dealt out evenly over that function's samples in the window; a user function that is on the
 * stack while library code runs is known only by its first line. tsx writes a whole module on one
 * generated line, so under tsx every sample resolves to its function's first line (exact, through
 * the source map); tsc/ts-node output keeps lines and maps line by line.
 *
 * Stacks with no user frame: inside fit/fitDataset/trainOnBatch, after tfjs's first await, the
 * training runs from a microtask and no user frame is on the stack. Such a sample gets an "orphan"
 * id that names its library path; the line batcher gives it to the user's call of fit or
 * trainOnBatch that was running at the time (see attributed()), or drops it outside one.
 */
import * as inspector from 'node:inspector';
import type { Profiler } from 'node:inspector';
import { clock } from './clock';
import { packageOf, scriptPath, type UserCode, type UserFrame } from './frames';

export interface Site {
  file: string;
  line: number;
  fn: string;
  /** Library frames from the user frame down to the leaf, outermost first; for a sample given to
   * the user's fit/trainOnBatch call (attributed()), the whole library stack it had. */
  path?: string[];
}

/** Samples of one window in time order: perf-clock ms and site id: a site (>= 0), NO_SITE, or an
 * orphan (a stack with no user frame, see orphanOf). */
export interface SampleBatch {
  times: number[];
  sites: number[];
}

/** A sample with nothing to attribute (the profile's root). */
export const NO_SITE = -1;
/** Orphan k travels as the id -2 - k. */
export function orphanOf(id: number): number | null {
  return id < NO_SITE ? -2 - id : null;
}

const TITLES = ['trainlens-a', 'trainlens-b'] as const;
const MAX_PATH = 8;
/** Column past any line end: finds the last mapping on a generated line. */
const LINE_END_COLUMN = 1 << 30;

interface ScriptInfo {
  /** Absolute path; null for node: internals, eval code, native frames. */
  file: string | null;
  user: boolean;
  /** Our own bundle (the wrappers around tfjs): never named in a path. */
  ours: boolean;
  /** How a library frame is named in a site's path: its package, else the URL. */
  label: string;
}

/** How one profile node's samples map to sites: a fixed site, or lines dealt out by tick counts. */
type NodeSites = number | { sites: number[]; ticks: number[]; given: number[]; total: number; seen: number };

export class LineSampler {
  private readonly session = new inspector.Session();
  private readonly consoleProfile: (title: string) => void;
  private readonly consoleProfileEnd: (title: string) => void;
  private current: 0 | 1 = 0;
  private finished: Profiler.Profile | null = null;
  private readonly siteIds = new Map<string, number>();
  private readonly scripts = new Map<string, ScriptInfo>();
  readonly sites: Site[] = [];
  /** Library paths of stacks with no user frame, outermost first. */
  private readonly orphans: string[][] = [];
  private readonly orphanIds = new Map<string, number>();
  /** process.hrtime in ms at clock.now() = 0: V8's profile clock is the same monotonic clock. */
  private readonly hrOriginMs = Number(process.hrtime.bigint()) / 1e6 - clock.now();

  constructor(
    private readonly intervalUs: number,
    private readonly code: UserCode,
  ) {
    // Taken before the user's code runs, which may replace console methods.
    const { profile, profileEnd } = console as unknown as Record<string, ((title: string) => void) | undefined>;
    if (!profile || !profileEnd) throw new Error('console.profile is unavailable (Node built without inspector?)');
    this.consoleProfile = profile.bind(console);
    this.consoleProfileEnd = profileEnd.bind(console);
  }

  start(): void {
    this.session.connect();
    // In-process sessions answer synchronously.
    this.session.post('Profiler.enable');
    this.session.post('Profiler.setSamplingInterval', { interval: this.intervalUs });
    this.session.on('Profiler.consoleProfileFinished', (message) => {
      this.finished = message.params.profile;
    });
    this.consoleProfile(TITLES[this.current]);
  }

  /**
   * Ends the current window (starting the next unless `last`) and returns its samples. With
   * `intervalUs` the next window samples at that interval: V8 takes a new one only while no profile
   * runs, so this once the windows do not overlap, and the restart logs every function again
   * (the ~17 ms above).
   */
  swap(last: boolean, intervalUs?: number): SampleBatch {
    const ending = TITLES[this.current];
    const overlap = !last && intervalUs === undefined;
    this.current = this.current === 0 ? 1 : 0;
    if (overlap) this.consoleProfile(TITLES[this.current]);
    this.finished = null;
    this.consoleProfileEnd(ending);
    const profile = this.finished as Profiler.Profile | null;
    if (last) this.session.disconnect();
    else if (!overlap) {
      this.session.post('Profiler.setSamplingInterval', { interval: intervalUs });
      this.consoleProfile(TITLES[this.current]);
    }
    return profile ? this.samplesOf(profile) : { times: [], sites: [] };
  }

  private samplesOf(profile: Profiler.Profile): SampleBatch {
    const nodes = new Map<number, Profiler.ProfileNode>();
    const parents = new Map<number, number>();
    for (const node of profile.nodes) {
      nodes.set(node.id, node);
      for (const child of node.children ?? []) parents.set(child, node.id);
    }
    const resolved = new Map<number, NodeSites>();
    const batch: SampleBatch = { times: [], sites: [] };
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    let timeUs = profile.startTime;
    for (let i = 0; i < samples.length; i++) {
      timeUs += deltas[i] ?? 0;
      const id = samples[i] as number;
      let sites = resolved.get(id);
      if (sites === undefined) {
        sites = this.resolve(id, nodes, parents);
        resolved.set(id, sites);
      }
      batch.times.push(timeUs / 1000 - this.hrOriginMs);
      batch.sites.push(typeof sites === 'number' ? sites : deal(sites));
    }
    return batch;
  }

  /** The site for an orphan sample taken while the user's `caller` line ran (fit, trainOnBatch). */
  attributed(orphan: number, caller: UserFrame): number {
    const path = this.orphans[orphan] as string[];
    return this.siteId({ ...caller, path: path.length ? path : undefined });
  }

  private resolve(id: number, nodes: Map<number, Profiler.ProfileNode>, parents: Map<number, number>): NodeSites {
    // Library frames are named only once the walk ends: a profile repeats them a lot.
    const library: Profiler.ProfileNode[] = [];
    for (let nodeId: number | undefined = id; nodeId !== undefined; nodeId = parents.get(nodeId)) {
      const node = nodes.get(nodeId);
      if (!node) break;
      const { url, functionName, lineNumber, columnNumber } = node.callFrame;
      const { file, user, ours } = this.scriptOf(url);
      const fn = functionName || '(anonymous)';
      if (file === null || !user) {
        if (parents.has(nodeId) && !ours) library.push(node);
        continue;
      }
      if (nodeId !== id || !node.positionTicks?.length) {
        const at = this.code.original(url, file, lineNumber, columnNumber);
        const path = library.reverse().map((frame) => this.labelOf(frame));
        return this.siteId({ ...at, fn, path: path.length ? trimPath(path) : undefined });
      }
      const mapped = this.code.hasSourceMap(url, file);
      const byLine = new Map<number, number>();
      for (const { line, ticks } of node.positionTicks) {
        // A tick on the function's own first generated line is located by the function's column:
        // on a one-line (tsx) module the line end would map to the module's last statement.
        const at = !mapped ? { file, line } : line - 1 === lineNumber ? this.code.original(url, file, lineNumber, columnNumber) : this.code.original(url, file, line - 1, LINE_END_COLUMN);
        const site = this.siteId({ ...at, fn });
        byLine.set(site, (byLine.get(site) ?? 0) + ticks);
      }
      const sites = [...byLine.keys()];
      const ticks = [...byLine.values()];
      return { sites, ticks, given: ticks.map(() => 0), total: ticks.reduce((a, b) => a + b, 0), seen: 0 };
    }
    return library.length ? this.orphanId(library.reverse()) : NO_SITE;
  }

  /** `package:function`; V8's pseudo-frames ((garbage collector), (idle), (program)) as they are. */
  private labelOf({ callFrame }: Profiler.ProfileNode): string {
    const fn = callFrame.functionName || '(anonymous)';
    return callFrame.url === '' && fn.startsWith('(') ? fn : `${this.scriptOf(callFrame.url).label}:${fn}`;
  }

  /** Node's and V8's own frames that start a stack (the microtask and timer machinery) say nothing
   * about where the time went, so an orphan's path starts at the first frame of a script file. */
  private orphanId(frames: Profiler.ProfileNode[]): number {
    const first = frames.findIndex(({ callFrame }) => this.scriptOf(callFrame.url).file !== null);
    const path = trimPath((first > 0 ? frames.slice(first) : frames).map((frame) => this.labelOf(frame)));
    const key = path.join('\n');
    let orphan = this.orphanIds.get(key);
    if (orphan === undefined) {
      orphan = this.orphans.push(path) - 1;
      this.orphanIds.set(key, orphan);
    }
    return -2 - orphan;
  }

  /** What a script URL is, remembered for the run: profiles repeat the same few hundred URLs. */
  private scriptOf(url: string): ScriptInfo {
    let info = this.scripts.get(url);
    if (info === undefined) {
      const file = scriptPath(url);
      const user = file !== null && this.code.isUserFile(file);
      info = { file, user, ours: file !== null && this.code.isOwnFile(file), label: (file && packageOf(file)) ?? (url || '(native)') };
      this.scripts.set(url, info);
    }
    return info;
  }

  private siteId(site: Site): number {
    const key = `${site.file}\n${site.line}\n${site.fn}\n${site.path?.join('\n') ?? ''}`;
    let id = this.siteIds.get(key);
    if (id === undefined) {
      id = this.sites.push(site) - 1;
      this.siteIds.set(key, id);
    }
    return id;
  }
}

/** Next sample of a leaf node: the line furthest behind its share of the node's ticks. */
function deal(node: Exclude<NodeSites, number>): number {
  node.seen++;
  let best = 0;
  let bestDeficit = -Infinity;
  for (let j = 0; j < node.sites.length; j++) {
    const deficit = ((node.ticks[j] as number) * node.seen) / node.total - (node.given[j] as number);
    if (deficit > bestDeficit) [best, bestDeficit] = [j, deficit];
  }
  node.given[best] = (node.given[best] as number) + 1;
  return node.sites[best] as number;
}

function trimPath(path: string[]): string[] {
  return path.length <= MAX_PATH ? path : [...path.slice(0, MAX_PATH / 2), ...path.slice(-MAX_PATH / 2)];
}
