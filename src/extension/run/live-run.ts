/**
 * One run's link between its session and the editor: every batch of events goes to the run's view
 * (panel) and the live state; the status bar, heat and live findings follow at their own pace.
 * Everything it sets up lives in its own store and goes when the run ends.
 */
import * as vscode from 'vscode';
import { HOT_LINES_SHOWN } from '../../core/editor-view/heat';
import { LiveState, liveAnalysisReady, liveFindings } from '../../core/editor-view/live-state';
import type { RunPhase } from '../../core/editor-view/run-phase';
import { summaryStatusInput, type StatusInput } from '../../core/editor-view/status-model';
import { Throttle } from '../../core/editor-view/throttle';
import type { Finding } from '../../core/findings/finding';
import type { RunSummary } from '../../core/summary';
import { RunView } from '../../core/view/run-view';
import { cachedSourceLines, findingsFor } from '../../host/analysis';
import { RECORDING_FAULT_PREFIX } from '../../host/recording/recording-writer';
import type { RunSession } from '../../host/run-session';
import { DisposableStore } from '../disposables';
import type { RunUi } from './run-ui';

/** Heat follows the live line profile about once a second, like the status bar. */
const HEAT_INTERVAL_MS = 1000;
/**
 * Findings while the run goes on (status bar warning, diagnostics before the end), from the same
 * rules as the final summary. They look at the whole run, so every few seconds is plenty.
 */
const LIVE_FINDINGS_INTERVAL_MS = 5000;
/** The analysis grows with the run (~70 ms at 100,000 steps): it may take at most this share of the host's time. */
const LIVE_FINDINGS_MAX_LOAD = 0.02;

export class LiveRun implements vscode.Disposable {
  readonly view: RunView;
  private readonly store = new DisposableStore();
  private attached: { session: RunSession; live: LiveState } | undefined;
  /** The live analysis's, until the run's summary brings the final ones. */
  private findings: readonly Finding[] = [];
  private summary: RunSummary | undefined;
  private error: string | undefined;
  private findingsDueMs = 0;
  /** The run's source files, read once for all its live analyses (the final one reads them afresh). */
  private readonly sourceLines = cachedSourceLines();

  constructor(
    readonly label: string,
    private readonly ui: RunUi,
    private readonly onChange: () => void,
  ) {
    this.view = new RunView(label);
  }

  attach(session: RunSession): void {
    const heat = this.store.add(new Throttle(HEAT_INTERVAL_MS, () => this.ui.annotations.showHeat(session.leadAggregator.lines.hotLines(HOT_LINES_SHOWN))));
    const findings = this.store.add(new Throttle(LIVE_FINDINGS_INTERVAL_MS, () => this.updateFindings(session)));
    const live = new LiveState(this.view, {
      changed: () => {
        this.ui.panel.refresh(this.view);
        this.onChange();
      },
      linesArrived: () => heat.request(),
      stepsArrived: () => findings.request(),
    });
    this.attached = { session, live };
    this.store.add(session.onEvents((events) => live.add(events)));
    // The disk refused the recording (full, or a size limit): the run goes on, the user hears it once
    // now, not only in the panel's notes at the end.
    this.store.add(session.onEvents((events) => {
      const fault = events.find((e) => e.type === 'log' && e.message.startsWith(RECORDING_FAULT_PREFIX));
      if (fault?.type === 'log') void vscode.window.showWarningMessage(`TrainLens: ${fault.message}`);
    }));
  }

  /** Stops the process tree; the summary still arrives through the session's `done`. */
  stop(): void {
    void this.attached?.session.stop('stopped by user');
  }

  /** The run ended: its annotations stay in the editor until cleared or replaced. */
  finish(summary: RunSummary): void {
    this.store.dispose();
    this.summary = summary;
    this.view.setSummary(summary);
    this.ui.panel.refresh(this.view);
    this.ui.annotations.showSummary(summary);
  }

  fail(message: string): void {
    this.store.dispose();
    this.error = message;
  }

  statusInput(phase: RunPhase): StatusInput {
    if (this.summary) {
      return summaryStatusInput(phase, this.label, this.summary);
    }
    const figures = this.attached ? this.attached.live.figures(this.attached.session.live()) : null;
    return { phase, label: this.label, figures, findings: this.findings, error: this.error, live: true };
  }

  dispose(): void {
    this.store.dispose();
  }

  private updateFindings(session: RunSession): void {
    const startedMs = Date.now();
    // Too soon after a long analysis: skip; the next batch of steps asks again.
    if (startedMs < this.findingsDueMs) return;
    let summary: RunSummary;
    try {
      summary = session.leadAggregator.summary(session.dir);
      // Too early for figures the final analysis would agree with: nothing rather than something else.
      if (!liveAnalysisReady(summary)) return;
      this.findings = liveFindings(findingsFor(session.leadAggregator, summary, this.sourceLines));
      this.findingsDueMs = startedMs + (Date.now() - startedMs) / LIVE_FINDINGS_MAX_LOAD;
    } catch (error) {
      // A rule tripping over a half-finished run must not break the live view; the final analysis runs again at the end.
      this.ui.log.warn(`live analysis failed: ${(error as Error).message}`);
      return;
    }
    this.ui.annotations.showFindings(this.findings, session.plan.script, summary);
    // The panel shows the same findings as Problems.
    this.view.setLiveFindings(this.findings);
    this.ui.panel.refresh(this.view);
    this.onChange();
  }
}
