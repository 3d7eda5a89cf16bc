/**
 * Re-run and Compare: repeat the last finished run after a fix and show before/after (panel and a
 * notification). Applying a TrainLens fix to that run's script offers it straight away.
 */
import * as vscode from 'vscode';
import { compareRuns } from '../../core/compare';
import { compareNotification, compareTitle } from '../../core/editor-view/compare-message';
import type { RunController } from '../run/run-controller';
import type { RunUi } from '../run/run-ui';
import type { AppliedFix } from './quick-fix-provider';

const RERUN = 'Re-run and Compare';
const SHOW_PANEL = 'Show Panel';

export class RerunAndCompare {
  /** Fixes applied in this session, newest last: the comparison's title names those since its "before" run. */
  private applied: Array<AppliedFix & { atMs: number }> = [];

  constructor(
    private readonly runs: RunController,
    private readonly ui: RunUi,
  ) {}

  fixApplied(fix: AppliedFix): void {
    this.applied = [...this.applied.filter((f) => f.file !== fix.file || f.title !== fix.title), { ...fix, atMs: Date.now() }];
    const last = this.runs.lastFinished;
    if (!last || this.runs.active || last.recipe.script.fsPath !== fix.file) return;
    void vscode.window.showInformationMessage('TrainLens: fix applied. Re-run and compare?', RERUN).then((choice) => {
      if (choice === RERUN) void this.run();
    });
  }

  async run(): Promise<void> {
    const before = this.runs.lastFinished;
    // The fix's file may be a module the script imports: unsaved, the re-run would not measure it.
    for (const fix of before ? this.since(before.summary.startedAtMs) : []) {
      const document = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === fix.file);
      if (document?.isDirty) await document.save();
    }
    const outcome = await this.runs.rerun();
    if (!outcome) return;
    const comparison = compareRuns(outcome.before.summary, outcome.after, this.runs.noiseSamples(outcome.before));
    const title = compareTitle(this.since(outcome.before.summary.startedAtMs).map((fix) => fix.title));
    this.ui.log.info(`re-run and compare (${title}): ${comparison.sentence}`);
    this.ui.panel.setCompare({ title, ...comparison });
    this.ui.panel.show();
    const message = compareNotification(comparison);
    const show = comparison.verdict === 'faster' ? vscode.window.showInformationMessage(message, SHOW_PANEL) : vscode.window.showWarningMessage(message, SHOW_PANEL);
    if ((await show) === SHOW_PANEL) this.ui.panel.show();
  }

  private since(startedAtMs: number): AppliedFix[] {
    return this.applied.filter((fix) => fix.atMs >= startedAtMs);
  }
}
