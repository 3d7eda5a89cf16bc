/**
 * TrainLens: Tune Training. Runs `trainlens tune`'s search on the script (host/tune) and shows it
 * live in the tuning panel (trials as they finish, a chart of batches/s per trial, progress and
 * time left, Stop), with a cancellable progress notification (cancel = Stop: the verdict keeps what
 * was measured) and the trial table in its own output channel, the text record. At the end the
 * panel and a notification offer Apply, which writes the best settings into the code.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../core/editor-view/commands';
import { SETTINGS_SECTION } from '../../core/editor-view/settings-defaults';
import { effectiveValue } from '../../core/editor-view/run-settings';
import { BUDGET_SETTING, tuneBudgetSeconds } from '../../core/tune/budget-setting';
import { formatTrialRow, formatTuneReport, verdictSentence, type TuneOutcome } from '../../core/tune/report';
import { rungLabel, secondsLeft } from '../../core/tune/tune-chart';
import { TuneViewModel } from '../../core/tune/tune-view';
import { Parsers } from '../fixes/parsers';
import { prepareRun } from '../run/launch-request';
import { scriptToProfile } from '../run/script-target';
import { applyBest } from './apply-best';
import { TunePanel } from './tune-panel';

/** Time left is shown in seconds: the panel gets the state once a second between trial events. */
const TICK_MS = 1000;

/** The tuning the panel shows: the one going on, or the last one (whose Apply the panel offers). */
interface Shown {
  model: TuneViewModel;
  stop: () => void;
  outcome: TuneOutcome | null;
  applied: boolean;
}

export class TuneTraining implements vscode.Disposable {
  private output: vscode.OutputChannel | undefined;
  private busy = false;
  private shown: Shown | undefined;
  private panelEvents: { panel: TunePanel; subscription: vscode.Disposable } | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly parsers: Parsers,
    /** Whether a profiled run is in progress: trials beside it would measure a shared machine. */
    private readonly profiling: () => boolean,
  ) {}

  async tune(resource: unknown): Promise<void> {
    if (!vscode.workspace.isTrusted) return refuseUntrusted();
    if (this.busy || this.profiling()) {
      void vscode.window.showInformationMessage('TrainLens: tuning measures the machine, so it waits until the current run or tuning ends.');
      return;
    }
    const script = await scriptToProfile(resource);
    if (!script) return;
    this.busy = true;
    try {
      await this.tuneScript(script);
    } catch (error) {
      const message = error instanceof Error && 'category' in error ? error.message : `tuning failed: ${String(error)}`;
      this.log.error(`tune ${script.fsPath}: ${error instanceof Error && error.stack ? error.stack : message}`);
      this.shown?.model.failed(message, Date.now());
      this.publish();
      void vscode.window.showErrorMessage(`TrainLens: ${message}`);
    } finally {
      this.busy = false;
    }
  }

  dispose(): void {
    // A tuning still going on ends with the extension (stop() does nothing once it has ended).
    this.shown?.stop();
    this.panelEvents?.subscription.dispose();
    TunePanel.current?.dispose();
    this.output?.dispose();
  }

  private async tuneScript(script: vscode.Uri): Promise<void> {
    // A failure before the model exists must not mark the previous tuning failed.
    this.shown = undefined;
    const { request } = await prepareRun(script, this.extensionUri, this.log);
    const { startTuning } = await import('../../host/tune/tuner.js');
    const budgetS = this.budgetSeconds(script);
    const output = (this.output ??= vscode.window.createOutputChannel('TrainLens Tune'));
    const label = path.basename(script.fsPath);
    output.clear();
    output.appendLine(`Tuning ${label} for up to ${budgetS} s: ${request.command.join(' ')}`);
    const model = new TuneViewModel(label, request.command, budgetS * 1000, Date.now());
    let stopTuning = (): void => undefined;
    const stop = (): void => {
      if (!model.running) return;
      model.stopping();
      this.publish();
      stopTuning();
    };
    const shown: Shown = { model, stop, outcome: null, applied: false };
    this.shown = shown;
    this.showPanel();
    const ticker = setInterval(() => this.publish(), TICK_MS);
    try {
      const outcome = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `TrainLens: tuning ${label}`, cancellable: true },
        async (progress, cancel) => {
          const tuning = startTuning({
            run: request,
            budgetMs: budgetS * 1000,
            onTrialStart: (settings, rung, steps) => {
              model.trialStarted(settings, rung, steps);
              this.publish();
              const { current, budgetMs, elapsedMs } = model.state(Date.now());
              const what = `${rungLabel(rung)}${steps === null ? '' : `, ${steps} steps`}: ${current?.settingsText ?? ''}`;
              progress.report({ message: `${what} · ${secondsLeft(budgetMs, elapsedMs)} s left` });
            },
            onTrialEnd: (trial) => {
              output.appendLine(formatTrialRow(trial));
              model.trialEnded(trial);
              this.publish();
            },
          });
          stopTuning = () => tuning.stop();
          cancel.onCancellationRequested(() => shown.stop());
          return tuning.outcome;
        },
      );
      shown.outcome = outcome;
      model.finished(outcome, Date.now());
      this.publish();
      output.appendLine('');
      for (const line of formatTuneReport(outcome)) output.appendLine(line);
      // Not awaited: the notification may stay open long after tuning, which must not wait for it.
      void this.offerApply(shown, outcome);
    } finally {
      clearInterval(ticker);
    }
  }

  /** `trainlens.tune.budgetSeconds`, a workspace value counting only in a trusted workspace. */
  private budgetSeconds(scope: vscode.Uri): number {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
    const { seconds, problem } = tuneBudgetSeconds(effectiveValue(BUDGET_SETTING, config.inspect(BUDGET_SETTING), vscode.workspace.isTrusted));
    if (problem) this.log.warn(problem);
    return seconds;
  }

  private showPanel(): void {
    const panel = TunePanel.show(this.extensionUri);
    if (this.panelEvents?.panel !== panel) {
      // A new panel (the previous one was closed): listen to this one instead.
      this.panelEvents?.subscription.dispose();
      const subscription = vscode.Disposable.from(
        panel.onDidRequestStop(() => this.shown?.stop()),
        panel.onDidRequestApply(() => {
          if (this.shown) void this.applyOnce(this.shown);
        }),
      );
      this.panelEvents = { panel, subscription };
    }
    this.publish();
  }

  private publish(): void {
    if (this.shown) TunePanel.current?.setState(this.shown.model.state(Date.now()));
  }

  private async offerApply(shown: Shown, outcome: TuneOutcome): Promise<void> {
    const sentence = verdictSentence(outcome.verdict);
    if (outcome.fixes.length === 0 || outcome.fixTarget === null) {
      void vscode.window.showInformationMessage(`TrainLens: ${sentence}`);
      return;
    }
    const apply = 'Apply';
    if ((await vscode.window.showInformationMessage(`TrainLens: ${sentence}`, apply)) === apply) await this.applyOnce(shown);
  }

  /** The panel's Apply and the notification's lead here: a tuning's settings are written once. */
  private async applyOnce(shown: Shown): Promise<void> {
    if (!shown.outcome || shown.applied || !this.output) return;
    shown.applied = true;
    try {
      shown.model.setApplied(await applyBest(shown.outcome, this.parsers, this.output));
    } catch (error) {
      this.log.error(`tune apply: ${error instanceof Error && error.stack ? error.stack : String(error)}`);
      shown.model.setApplied(`Apply failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (shown === this.shown) this.publish();
  }
}

async function refuseUntrusted(): Promise<void> {
  const manage = 'Manage Workspace Trust';
  const choice = await vscode.window.showWarningMessage('TrainLens does not run scripts in an untrusted workspace: tuning executes the code in this folder many times.', manage);
  if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
}

/** The command and its owner, for activate() to push in one line. */
export function registerTuneTraining(extensionUri: vscode.Uri, log: vscode.LogOutputChannel, profiling: () => boolean): vscode.Disposable {
  const tuning = new TuneTraining(extensionUri, log, new Parsers(extensionUri, log), profiling);
  return vscode.Disposable.from(tuning, vscode.commands.registerCommand(COMMANDS.tune, (resource?: unknown) => tuning.tune(resource)));
}
