/**
 * The run state machine: idle → starting → running → stopping → done/failed (see run-phase.ts for
 * the allowed moves). One run at a time; each run owns its LiveRun (and its disposable store),
 * and its terminal stays open with the output until the next run replaces it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import type { NoiseSamples } from '../../core/compare';
import { COMMANDS, CONTEXT_KEYS } from '../../core/editor-view/commands';
import { relativePathHint } from '../../core/editor-view/run-folder';
import { RunHistory, type FinishedRun, type RunIdentity } from '../../core/editor-view/run-history';
import { isActive, nextPhase, type RunPhase, type RunTransition } from '../../core/editor-view/run-phase';
import { statusView } from '../../core/editor-view/status-model';
import { formatRate } from '../../core/format';
import type { RunSummary } from '../../core/summary';
import type { RunRequest, RunSession } from '../../host/run-session';
import { openPanelOnRun } from '../settings';
import { prepareRun, type PreparedRun } from './launch-request';
import { LiveRun } from './live-run';
import type { RunUi } from './run-ui';
import { scriptToProfile } from './script-target';
import { TrainingTerminal } from './training-terminal';

/** What starts a finished run again: its launch request, and the script to save first. */
export interface RunRecipe {
  request: RunRequest;
  script: vscode.Uri;
}

/** On shutdown a run gets this long to stop gently before its process tree is killed. */
const SHUTDOWN_GRACE_MS = 2000;

export class RunController implements vscode.Disposable {
  private phase: RunPhase = 'idle';
  private readonly history = new RunHistory<RunRecipe>();
  private run: LiveRun | undefined;
  private session: RunSession | undefined;
  private terminal: TrainingTerminal | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly ui: RunUi,
  ) {}

  get active(): boolean {
    return isActive(this.phase);
  }

  /** The run Re-run and Compare would repeat. */
  get lastFinished(): FinishedRun<RunRecipe> | undefined {
    return this.history.latest;
  }

  /** Throughput of the repeats of `run` (same command and code) in this session, for the noise band. */
  noiseSamples(run: FinishedRun<RunRecipe>): NoiseSamples {
    return this.history.noiseSamples(run);
  }

  async profile(resource: unknown): Promise<void> {
    if (!vscode.workspace.isTrusted) return refuseUntrusted();
    if (this.active) return this.offerStop();
    const script = await scriptToProfile(resource);
    if (!script || this.active) return;
    await this.launch(script, () => prepareRun(script, this.extensionUri, this.ui.log));
  }

  /**
   * Runs the last finished run's command again (same interpreter, arguments, environment and
   * directory), after saving the script; resolves when the new run ends.
   */
  async rerun(): Promise<{ before: FinishedRun<RunRecipe>; after: RunSummary } | undefined> {
    if (!vscode.workspace.isTrusted) {
      await refuseUntrusted();
      return undefined;
    }
    if (this.active) {
      await this.offerStop();
      return undefined;
    }
    const before = this.history.latest;
    if (!before) {
      void vscode.window.showInformationMessage('TrainLens: nothing to re-run yet: profile a training script first.');
      return undefined;
    }
    const script = await scriptToProfile(before.recipe.script);
    if (!script || this.active) return undefined;
    const started = await this.launch(script, async () => ({ request: before.recipe.request, interpreter: null }));
    const after = await started?.done;
    return after ? { before, after } : undefined;
  }

  /** Starts a run; `done` settles with its summary, or undefined when it failed without one. */
  private async launch(script: vscode.Uri, prepare: () => Promise<PreparedRun>): Promise<{ done: Promise<RunSummary | undefined> } | undefined> {
    if (!this.move('start')) return undefined;
    const label = path.basename(script.fsPath);
    this.run?.dispose();
    this.terminal?.dispose();
    const run = new LiveRun(label, this.ui, () => this.renderStatus());
    const terminal = new TrainingTerminal(`TrainLens: ${label}`, { onStop: () => this.stopRun(run) });
    [this.run, this.terminal, this.session] = [run, terminal, undefined];
    terminal.show();
    // The previous run's annotations (and any comparison with it) are replaced by this one's, starting now.
    this.ui.annotations.clear();
    this.ui.panel.setCompare(null);
    this.ui.panel.setView(run.view);
    if (openPanelOnRun()) this.ui.panel.show();
    this.renderStatus();
    let session: RunSession;
    let identity: RunIdentity;
    let request: RunRequest;
    try {
      const prepared = await prepare();
      request = prepared.request;
      if (prepared.interpreter) this.ui.log.info(`Python interpreter (${prepared.interpreter.source}): ${prepared.interpreter.path}`);
      this.ui.log.info(`starting: ${request.command.join(' ')} (cwd ${request.cwd})`);
      terminal.note(`${request.cwd}$ ${request.command.join(' ')}`);
      identity = { command: request.command, cwd: request.cwd, env: request.env, codeDigest: await codeDigest(script) };
      session = await (await loadRunSession()).start(request);
    } catch (error) {
      this.failed(run, error);
      return { done: Promise.resolve(undefined) };
    }
    this.session = session;
    run.attach(session);
    terminal.attach(session.process);
    this.move('started');
    this.ui.log.info(`run ${session.id} started (pid ${session.process.pid}); recording in ${session.dir}`);
    if (this.phase === 'stopping') run.stop();
    const done = session.done.then(
      (summary) => {
        this.finished(run, summary);
        this.history.add({ recipe: { request, script }, identity, summary });
        this.updateCanRerun();
        return summary;
      },
      (error: unknown) => {
        this.failed(run, error);
        return undefined;
      },
    );
    return { done };
  }

  stop(): void {
    if (!this.run || !this.active) {
      void vscode.window.showInformationMessage('TrainLens: no run in progress.');
      return;
    }
    this.stopRun(this.run);
  }

  /** Deactivation: stop gently, then for sure, within VS Code's shutdown budget. */
  async shutdown(): Promise<void> {
    const session = this.session;
    if (!session || !this.active) return;
    const stopped = session.stop('VS Code closed').then(() => true);
    const gentle = await Promise.race([stopped, delay(SHUTDOWN_GRACE_MS).then(() => false)]);
    if (!gentle) await session.process.stop(0);
  }

  dispose(): void {
    if (this.active) void this.session?.stop('VS Code closed');
    this.run?.dispose();
    this.terminal?.dispose();
  }

  private stopRun(run: LiveRun): void {
    // A closed terminal of an earlier run must not stop the current one.
    if (run !== this.run || !this.move('stop')) return;
    this.ui.log.info('stopping the run (SIGINT, then SIGTERM, then SIGKILL to its process tree)');
    this.terminal?.note('[TrainLens] stopping…');
    run.stop();
    this.renderStatus();
  }

  private finished(run: LiveRun, summary: RunSummary): void {
    if (run !== this.run || !this.move('ended')) return;
    run.finish(summary);
    this.terminal?.detachInput();
    const outcome = summary.exitCode !== null && summary.status === 'failed' ? `failed (exit code ${summary.exitCode})` : summary.status;
    const rate = summary.throughput.batchesPerSec === null ? 'no steady-state steps' : `${formatRate(summary.throughput.batchesPerSec)} batch/s`;
    this.terminal?.note(`\n[TrainLens] ${outcome} · ${summary.steps} steps · ${rate} · recording: ${summary.recording}`);
    this.ui.log.info(`run ${summary.id} ${outcome}: ${summary.steps} steps, ${rate}, ${summary.findings.length} findings`);
    this.renderStatus();
    if (summary.status !== 'failed') return;
    const hint = summary.error ? relativePathHint(summary.error.message, summary.cwd) : undefined;
    if (hint) this.terminal?.note(`[TrainLens] ${hint}`);
    void vscode.window.showWarningMessage(`TrainLens: ${run.label} ${outcome}; ${hint ?? 'its output is in the terminal.'}`);
  }

  private failed(run: LiveRun, error: unknown): void {
    if (run !== this.run || !this.move('failed')) return;
    const message = userMessage(error);
    run.fail(message);
    this.terminal?.detachInput();
    this.terminal?.note(`[TrainLens] ${message}`);
    this.ui.log.error(`run of ${run.label} failed: ${error instanceof Error && error.stack ? error.stack : message}`);
    this.renderStatus();
    void vscode.window.showErrorMessage(`TrainLens: ${message}`);
  }

  private move(transition: RunTransition): boolean {
    const next = nextPhase(this.phase, transition);
    if (next === undefined) return false;
    this.phase = next;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.running, this.active);
    this.updateCanRerun();
    return true;
  }

  private updateCanRerun(): void {
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.canRerun, !this.active && this.history.latest !== undefined);
  }

  private renderStatus(): void {
    const run = this.run;
    const phase = this.phase;
    this.ui.statusBar.render(() => (run ? statusView(run.statusInput(phase)) : undefined));
  }

  private async offerStop(): Promise<void> {
    const stop = 'Stop';
    const choice = await vscode.window.showInformationMessage(`TrainLens is already profiling ${this.run?.label ?? 'a script'}; one run at a time.`, stop);
    if (choice === stop) this.stop();
  }
}

/** Typed host errors carry a message written for the user; anything else is unexpected. */
function userMessage(error: unknown): string {
  if (error instanceof Error && 'category' in error) return error.message;
  return `the run could not be completed: ${error instanceof Error ? error.message : String(error)}`;
}

async function refuseUntrusted(): Promise<void> {
  const manage = 'Manage Workspace Trust';
  const open = 'Open Recording…';
  const choice = await vscode.window.showWarningMessage(
    'TrainLens does not run scripts in an untrusted workspace: profiling executes the code in this folder. Trust the workspace to profile; recordings can still be opened.',
    manage,
    open,
  );
  if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
  if (choice === open) await vscode.commands.executeCommand(COMMANDS.openRecording);
}

/**
 * The run machinery pulls in the telemetry samplers (systeminformation: ~35 ms to load, most of
 * the bundle), so it loads on the first Profile Training, not at activation. (`.js`: dynamic
 * import() resolves like ESM under Node16; esbuild maps it to the .ts source.)
 */
async function loadRunSession(): Promise<typeof RunSession> {
  return (await import('../../host/run-session.js')).RunSession;
}

/** Which code a run measured: repeats of the same code give the noise band; null when unreadable. */
async function codeDigest(script: vscode.Uri): Promise<string | null> {
  try {
    return createHash('sha256').update(await fs.readFile(script.fsPath)).digest('hex');
  } catch {
    return null;
  }
}

function delay(ms: number): Promise<void> {
  // unref: this timer alone must not keep a closing extension host alive.
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
