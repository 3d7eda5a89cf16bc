/**
 * TensorFlow.js instrumentation: hooks the library by module name, never the user's code.
 *
 * Loading: tfjs 4 is CommonJS, and an ESM `import` of it also goes through Module._load (with the
 * resolved file path), so one Module._load wrapper sees `@tensorflow/tfjs`, `-node`, `-node-gpu`,
 * `-core` and `-layers` however they are loaded; no ESM loader hook is needed. The reported package
 * is the first one loaded from outside @tensorflow itself (tfjs-node loads tfjs, which loads core).
 *
 * Steps and stages (all packages share tfjs-core's and tfjs-layers' classes, so hooks go on those):
 * - fit / fitDataset: a step ends when CallbackList.onBatchEnd has run the callbacks. `data` is the
 *   time from the previous step's end (or onEpochBegin) to onBatchBegin: in fitDataset that is the
 *   `await iterator.next()`; fit() on in-memory tensors has no such wait (its batch slicing runs
 *   after onBatchBegin and counts as `other`).
 * - trainOnBatch: a step ends when its promise settles; minimize outside both: when it returns.
 * - inside every step, Optimizer.minimize splits into `forwardBackward` (computeGradients: tfjs
 *   records the forward pass on its tape and differentiates in that one call) and `optimizer`
 *   (applyGradients and disposal, the rest of minimize). Subclasses override applyGradients, never
 *   minimize or computeGradients, so only the base class needs hooks.
 * - evaluation (validation at an epoch's end: fit runs it inside the epoch's last batch, fitDataset
 *   after it; evaluate() and evaluateDataset() called by the script): an `eval` event, its batches
 *   counted where the model's test function runs, and its time left out of the step it falls in
 *   (tfjs-evaluation.ts).
 * On tfjs-node-gpu kernels run asynchronously: these stages then time the launches, and the wait
 * for the GPU lands wherever a value is read (the loss read by fit's callbacks: `other`).
 *
 * Hot lines: after tfjs's first await inside fit, fitDataset or trainOnBatch the training runs from
 * microtasks, with no user frame on the stack. The timeline learns the user's line that made the
 * call (call-sites.ts) and gives it the samples taken during the call that have no user frame;
 * samples with one (map functions, generators, callbacks) keep their own line.
 *
 * Tokens: a step's tokens are B×T when the model's input is an int32 [B, T] tensor: trainOnBatch's
 * and fit's x as given, fitDataset's as the model declares it (its batches are not looked at).
 *
 * Wrappers call the original with the same `this` and arguments and return or throw exactly what
 * it does; their own bookkeeping runs under the runner's guard, which disables instrumentation on
 * failure. A tiny model's trainOnBatch takes ~0.1 ms, so the per-step path (trainOnBatch, minimize,
 * computeGradients) allocates no closures: it passes `arguments` through and settles through
 * handlers made once.
 */
import Module from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameworkEvent, RunnerEvent, StageName, StepAnchor } from '../../protocol/events';
import { firstTensor, rowsOf, sizeOf, tokensPerRow } from './batch-shape';
import { clock } from './clock';
import { CallSites } from './call-sites';
import type { CeilingProbe } from './ceiling-probe';
import { packageOf, type UserCode } from './frames';
import { DatasetSites } from './tfjs-datasets';
import { EvaluationHooks } from './tfjs-evaluation';
import type { StepTimeline } from './timeline';
import { prototypeOf, unwrapAll, wrap, type Fn, type Guard, type Proto } from './wrap';

const TF_PACKAGES = new Set(['@tensorflow/tfjs', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers']);
const FIT_STAGES = ['data', 'forwardBackward', 'optimizer'] as const;
const STAGES: StageName[] = [...FIT_STAGES, 'other'];
const CALL_STAGES = ['forwardBackward', 'optimizer'] as const;

type Loader = { _load: Fn; _resolveFilename: Fn };

export class TfjsProbe {
  private fitDepth = 0;
  private callDepth = 0;
  private inMinimize = false;
  /** computeGradients' interval inside the running minimize; gradEnd < 0: not seen. */
  private gradStart = 0;
  private gradEnd = -1;
  private loaded: { name: string; version: string; fromUser: boolean } | null = null;
  private getBackend: (() => unknown) | undefined;
  private announced = false;
  private loadHooked = false;
  /** Puts Module's functions back as they were before us (uninstall). */
  private readonly restore: Array<() => void> = [];
  private readonly datasets: DatasetSites;
  private readonly evaluations: EvaluationHooks;
  private readonly callSites: CallSites;
  private anchor: string | null = null;
  /** Tokens per row of the running fit's batches (T of an int32 [B, T] input); 0: not an LM input. */
  private fitTokensPerRow = 0;
  /** The model input of the trainOnBatch call that drives the step in progress (at most one does). */
  private drivenInput: unknown = undefined;
  /** Settlement handlers of trainOnBatch's promise: driven (a step) or nested (in fit, or in another call). */
  private readonly drivenCallDone: (value: unknown) => unknown;
  private readonly drivenCallFailed: (error: unknown) => never;
  private readonly nestedCallDone: (value: unknown) => unknown;
  private readonly nestedCallFailed: (error: unknown) => never;

  constructor(
    private readonly timeline: StepTimeline,
    code: UserCode,
    private readonly send: (event: RunnerEvent) => void,
    private readonly guard: Guard,
    /** Set in a ceiling probe run: it takes fit and fitDataset over. */
    private readonly ceiling: CeilingProbe | null = null,
  ) {
    this.callSites = new CallSites(code);
    this.datasets = new DatasetSites(code, send, (work) => this.safely(work), ceiling);
    this.evaluations = new EvaluationHooks(timeline, send, (work) => this.safely(work));
    this.drivenCallDone = (value) => (this.callSettled(true, true), value);
    this.drivenCallFailed = (error) => {
      this.callSettled(true, false);
      throw error;
    };
    this.nestedCallDone = (value) => (this.callSettled(false, true), value);
    this.nestedCallFailed = (error) => {
      this.callSettled(false, false);
      throw error;
    };
  }

  private safely(work: () => void): void {
    if (!this.guard.active) return;
    try {
      work();
    } catch (error) {
      this.guard.failed(error);
    }
  }

  /**
   * Watches module loading for tfjs packages. The Module._load wrapper goes in at the next filename
   * resolution: for a CommonJS main that is the main module's own, inside its load, so no frame of
   * ours sits under the script's top-level code and its stack traces print as without us. An ESM
   * main, or a launcher, resolves files before any package is loaded.
   */
  install(): void {
    const loader = Module as unknown as Loader;
    const resolve = loader._resolveFilename;
    const probe = this;
    const deferred = function (this: unknown, ...args: unknown[]) {
      // Someone may have wrapped it after us; then we stay in their chain, passing through.
      if (loader._resolveFilename === deferred) loader._resolveFilename = resolve;
      probe.hookLoad(loader);
      return resolve.apply(this, args);
    };
    loader._resolveFilename = deferred;
    this.restore.push(() => {
      if (loader._resolveFilename === deferred) loader._resolveFilename = resolve;
    });
  }

  /**
   * Takes every hook out again (the runner stopped): tfjs's methods and Module's functions are the
   * originals, where nobody wrapped them after us; a wrapper of ours left in someone's chain, and
   * one on a model's test function, only pass calls through from now on (the guard is off).
   */
  uninstall(): void {
    for (let undo = this.restore.pop(); undo; undo = this.restore.pop()) undo();
    unwrapAll();
  }

  private hookLoad(loader: Loader): void {
    if (this.loadHooked) return;
    this.loadHooked = true;
    const original = loader._load;
    const probe = this;
    const hooked = function (this: unknown, ...args: unknown[]) {
      const exports = original.apply(this, args);
      const [request, parent] = args as [unknown, { filename?: string } | undefined];
      if (typeof request === 'string' && request.includes('@tensorflow')) {
        probe.safely(() => probe.loadedModule(request, parent?.filename, exports, () => String(loader._resolveFilename(request, parent))));
      }
      return exports;
    };
    loader._load = hooked;
    this.restore.push(() => {
      if (loader._load === hooked) loader._load = original;
    });
  }

  /** At exit: a script that loaded tfjs but never trained still says which framework it had. */
  finish(): void {
    if (this.loaded) this.announce();
  }

  private loadedModule(request: string, parentFile: string | undefined, exports: unknown, resolve: () => string): void {
    const name = path.isAbsolute(request) ? packageOf(request) : request;
    if (name === null || !TF_PACKAGES.has(name) || typeof exports !== 'object' || exports === null) return;
    const api = exports as Record<string, unknown>;
    // The hook runs after a load returns, so packages tfjs loads itself are seen first; the one the
    // user asked for (its parent is not an @tensorflow package, or it was an ESM import) replaces them.
    const fromUser = !(parentFile !== undefined && packageOf(parentFile)?.startsWith('@tensorflow/'));
    if (this.loaded === null || (fromUser && !this.loaded.fromUser)) {
      const file = path.isAbsolute(request) ? request : resolve();
      this.loaded = { name, fromUser, version: packageVersion(file, name) ?? String(api.version_core ?? 'unknown') };
    }
    if (typeof api.getBackend === 'function') this.getBackend ??= api.getBackend as () => unknown;
    this.hookOptimizer(prototypeOf(api.Optimizer));
    this.hookModel(prototypeOf(api.LayersModel));
    this.hookCallbacks(prototypeOf(api.CallbackList));
    const data = api.data as Record<string, unknown> | undefined;
    this.datasets.hook(prototypeOf(data?.Dataset ?? api.Dataset));
  }

  private announce(): void {
    if (this.announced || !this.loaded) return;
    this.announced = true;
    const backend = this.getBackend?.();
    const event: FrameworkEvent = {
      type: 'framework',
      name: 'tfjs',
      version: this.loaded.version,
      package: this.loaded.name,
      device: typeof backend === 'string' ? backend : 'unknown',
      stages: STAGES,
    };
    this.send(event);
  }

  private hookOptimizer(proto: Proto): void {
    const probe = this;
    wrap(proto, 'minimize', (original) =>
      function (this: unknown) {
        probe.inMinimize = true;
        probe.gradEnd = -1;
        const start = clock.now();
        try {
          const result = original.apply(this, arguments as unknown as unknown[]);
          probe.minimized(start, clock.now());
          return result;
        } finally {
          probe.inMinimize = false;
        }
      },
    );
    wrap(proto, 'computeGradients', (original) =>
      function (this: unknown) {
        if (!probe.inMinimize) return original.apply(this, arguments as unknown as unknown[]);
        probe.gradStart = clock.now();
        const result = original.apply(this, arguments as unknown as unknown[]);
        probe.gradEnd = clock.now();
        return result;
      },
    );
  }

  private minimized(start: number, end: number): void {
    if (!this.guard.active) return;
    try {
      this.minimizedStep(start, end);
    } catch (error) {
      this.guard.failed(error);
    }
  }

  private minimizedStep(start: number, end: number): void {
    const driven = this.fitDepth === 0 && this.callDepth === 0;
    if (driven) {
      this.announce();
      this.anchored('optimizer', 'optimizer.minimize calls');
      this.timeline.begin(start);
    }
    const seen = this.gradEnd >= 0;
    const gradStart = seen ? this.gradStart : start;
    const gradEnd = seen ? this.gradEnd : start;
    this.timeline.stage('forwardBackward', gradStart, gradEnd);
    this.timeline.stage('optimizer', gradEnd, end);
    if (driven) this.timeline.end(end, null, CALL_STAGES);
  }

  private hookModel(proto: Proto): void {
    const probe = this;
    const fitting = (withDataset: boolean) => (original: Fn) =>
      async function (this: unknown, ...args: unknown[]) {
        if (probe.ceiling) return probe.ceiling.fit(this, args, withDataset);
        probe.fitDepth++;
        probe.safely(() => probe.fitStarted(this, args[0], withDataset));
        try {
          return await original.apply(this, args);
        } finally {
          // The tail after the last batch (onTrainEnd) belongs to no step.
          if (--probe.fitDepth === 0) probe.safely(() => probe.fitEnded());
        }
      };
    this.evaluations.hook(proto);
    wrap(proto, 'fit', fitting(false));
    wrap(proto, 'fitDataset', fitting(true));
    // The caller gets a promise of ours that settles as tfjs's does, right after the step's end is
    // taken (as an async wrapper's would, with one promise less and no closure per call).
    wrap(proto, 'trainOnBatch', (original) =>
      function (this: unknown) {
        const driven = probe.fitDepth === 0 && probe.callDepth === 0;
        if (driven) probe.callStarted(this, arguments[0]);
        probe.callDepth++;
        let pending: unknown;
        try {
          pending = original.apply(this, arguments as unknown as unknown[]);
        } catch (error) {
          probe.callSettled(driven, false);
          throw error;
        }
        if (!(pending instanceof Promise)) {
          probe.callSettled(driven, true);
          return pending;
        }
        return driven ? pending.then(probe.drivenCallDone, probe.drivenCallFailed) : pending.then(probe.nestedCallDone, probe.nestedCallFailed);
      },
    );
  }

  private fitStarted(model: unknown, data: unknown, withDataset: boolean): void {
    this.announce();
    this.anchored('framework', withDataset ? 'model.fitDataset batches' : 'model.fit batches');
    const now = clock.now();
    const frame = this.callSites.here();
    if (frame) this.timeline.called(frame, now);
    this.timeline.restart(now);
    this.fitTokensPerRow = tokensPerRow(withDataset ? (model as { inputs?: unknown[] } | null)?.inputs?.[0] : firstTensor(data));
    if (withDataset) this.datasets.report(data);
  }

  private fitEnded(): void {
    this.timeline.restart(null);
    this.timeline.returned(clock.now());
  }

  private callStarted(model: unknown, x: unknown): void {
    this.drivenInput = x;
    if (!this.guard.active) return;
    try {
      this.stepStarted(model);
    } catch (error) {
      this.guard.failed(error);
    }
  }

  private stepStarted(model: unknown): void {
    this.announce();
    this.anchored('framework', 'trainOnBatch calls');
    const now = clock.now();
    const frame = this.callSites.ofModel(model, now);
    if (frame) this.timeline.called(frame, now);
    this.timeline.begin(now);
  }

  private callSettled(driven: boolean, ok: boolean): void {
    this.callDepth--;
    if (!driven) return;
    const x = this.drivenInput;
    this.drivenInput = undefined;
    if (!this.guard.active) return;
    try {
      this.callEnded(ok, x);
    } catch (error) {
      this.guard.failed(error);
    }
  }

  /** A failed trainOnBatch is no step. */
  private callEnded(ok: boolean, x: unknown): void {
    const now = clock.now();
    if (ok) {
      const tensor = firstTensor(x);
      const rows = rowsOf(tensor);
      const perRow = tokensPerRow(tensor);
      this.timeline.end(now, rows, CALL_STAGES, perRow && rows !== null ? perRow * rows : null);
    } else this.timeline.restart(null);
    this.timeline.returned(now);
  }

  /** Says what delimits a step, when that changes. */
  private anchored(anchor: StepAnchor, detail: string): void {
    if (this.anchor === detail) return;
    this.anchor = detail;
    this.send({ type: 'anchor', anchor, detail });
  }

  private hookCallbacks(proto: Proto): void {
    const probe = this;
    wrap(proto, 'onEpochBegin', (original) =>
      async function (this: unknown, ...args: unknown[]) {
        const result = await original.apply(this, args);
        if (probe.fitDepth > 0) probe.safely(() => probe.timeline.dataFromNow(clock.now()));
        return result;
      },
    );
    wrap(proto, 'onBatchBegin', (original) =>
      function (this: unknown, ...args: unknown[]) {
        if (probe.fitDepth > 0) probe.safely(() => probe.timeline.dataReady(clock.now()));
        return original.apply(this, args);
      },
    );
    wrap(proto, 'onBatchEnd', (original) =>
      async function (this: unknown, ...args: unknown[]) {
        const result = await original.apply(this, args);
        if (probe.fitDepth > 0) probe.safely(() => probe.batchEnded(args[1]));
        return result;
      },
    );
  }

  private batchEnded(logs: unknown): void {
    const size = sizeOf(logs);
    const tokens = this.fitTokensPerRow && size !== null ? this.fitTokensPerRow * size : null;
    this.timeline.end(clock.now(), size, FIT_STAGES, tokens);
  }
}

/** Version from the package.json of the package a loaded file belongs to. */
function packageVersion(file: string, name: string): string | null {
  const marker = `node_modules${path.sep}${name.split('/').join(path.sep)}`;
  const at = file.lastIndexOf(marker);
  if (at < 0) return null;
  const manifest = JSON.parse(fs.readFileSync(path.join(file.slice(0, at + marker.length), 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : null;
}
