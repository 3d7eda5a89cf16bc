/**
 * TrainLens: Tune Training. Runs `trainlens tune`'s search on the script (host/tune) with a
 * cancellable progress notification (cancel = Stop: the verdict keeps what was measured), writes
 * the trial table to its own output channel as trials finish, and offers Apply, which writes the
 * best settings into the code through the parser-exact fixes as one undoable workspace edit.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../core/editor-view/commands';
import { languageOfPath } from '../../core/fixes/catalogue';
import { editForSettings } from '../../core/tune/apply';
import { formatTrialRow, formatTuneReport, verdictSentence, type TuneOutcome } from '../../core/tune/report';
import { describeSettings } from '../../core/tune/settings';
import { Parsers } from '../fixes/parsers';
import { prepareRun } from '../run/launch-request';
import { scriptToProfile } from '../run/script-target';

export class TuneTraining implements vscode.Disposable {
  private output: vscode.OutputChannel | undefined;
  private busy = false;

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
      void vscode.window.showErrorMessage(`TrainLens: ${message}`);
    } finally {
      this.busy = false;
    }
  }

  dispose(): void {
    this.output?.dispose();
  }

  private async tuneScript(script: vscode.Uri): Promise<void> {
    const { request } = await prepareRun(script, this.extensionUri, this.log);
    const { startTuning, DEFAULT_BUDGET_S } = await import('../../host/tune/tuner.js');
    const output = (this.output ??= vscode.window.createOutputChannel('TrainLens Tune'));
    const label = path.basename(script.fsPath);
    output.clear();
    output.show(true);
    output.appendLine(`Tuning ${label} for up to ${DEFAULT_BUDGET_S} s: ${request.command.join(' ')}`);
    const startedMs = Date.now();
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `TrainLens: tuning ${label}`, cancellable: true },
      async (progress, cancel) => {
        const tuning = startTuning({
          run: request,
          budgetMs: DEFAULT_BUDGET_S * 1000,
          onTrialStart: (settings, rung, steps) => {
            const left = Math.max(0, Math.round(DEFAULT_BUDGET_S - (Date.now() - startedMs) / 1000));
            const what = rung < 0 ? 'baseline (as written)' : `rung ${rung}, ${steps} steps: ${describeSettings(settings)}`;
            progress.report({ message: `${what} · ${left} s left` });
          },
          onTrialEnd: (trial) => output.appendLine(formatTrialRow(trial)),
        });
        cancel.onCancellationRequested(() => tuning.stop());
        return tuning.outcome;
      },
    );
    output.appendLine('');
    for (const line of formatTuneReport(outcome)) output.appendLine(line);
    await this.offerApply(outcome);
  }

  private async offerApply(outcome: TuneOutcome): Promise<void> {
    const sentence = verdictSentence(outcome.verdict);
    if (outcome.fixes.length === 0 || outcome.fixTarget === null) {
      void vscode.window.showInformationMessage(`TrainLens: ${sentence}`);
      return;
    }
    const apply = 'Apply';
    if ((await vscode.window.showInformationMessage(`TrainLens: ${sentence}`, apply)) !== apply) return;
    const target = outcome.fixTarget;
    const language = languageOfPath(target.file);
    const grammars = language ? await this.parsers.for(language) : undefined;
    if (!language || !grammars) {
      void vscode.window.showWarningMessage(`TrainLens: cannot edit ${target.file}: no parser for it.`);
      return;
    }
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(target.file));
    const edit = editForSettings(grammars, document.getText(), language, outcome.fixes, {
      cores: (await import('../../host/analysis.js')).availableCores(),
      cuda: target.cuda,
      torchVersion: target.torchVersion,
      platform: process.platform,
      ...(target.line !== null && { line: target.line }),
    });
    for (const reason of edit.refused) this.output?.appendLine(`refused: ${reason}`);
    if (edit.text !== null) {
      const workspaceEdit = new vscode.WorkspaceEdit();
      workspaceEdit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), edit.text);
      await vscode.workspace.applyEdit(workspaceEdit);
      await vscode.window.showTextDocument(document);
      for (const title of edit.applied) this.output?.appendLine(`applied: ${title}`);
    }
    const byHand = outcome.unwritable.length > 0 ? ` No fix writes ${outcome.unwritable.join(', ')}: set it by hand.` : '';
    const refused = edit.refused.length > 0 ? ` ${edit.refused.length} fix(es) refused: see the TrainLens Tune output.` : '';
    void vscode.window.showInformationMessage(`TrainLens: ${edit.applied.length > 0 ? `applied ${edit.applied.join('; ')}` : 'nothing applied'}.${refused}${byHand} Profile Training confirms the gain.`);
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
