/**
 * What the status bar item shows, as data: `$(pulse) 42.1 batch/s · GPU 87% · data 12%` while a run
 * goes on, `$(check) done 42.1 batch/s · 2 min ago` once it has ended (stopped, cut off and failed
 * runs each with their own icon and word), a warning flag, and a Markdown tooltip with the stage
 * table and command links.
 */
import { sharesOf } from '../aggregator';
import { SEVERITY_ORDER, type Finding, type Severity } from '../findings/finding';
import { formatCompactRate, formatPct, formatRate, formatShare, STAGE_LABELS } from '../format';
import { anchorSentence, stepsNotRecognisedText, stepsUnrecognised, type StepAnchorSummary } from '../step-anchor';
import type { RunSummary } from '../summary';
import { STAGE_NAMES, type StageName } from '../../protocol/events';
import { commandLink, COMMANDS, type CommandId } from './commands';
import { escapeMarkdown, inlineCode, table } from './markdown';
import type { RunPhase } from './run-phase';

export interface StatusFigures {
  steps: number;
  batchesPerSec: number | null;
  samplesPerSec: number | null;
  tokensPerSec: number | null;
  /** What ends a step; null until the runner says (a live run before its anchor event). */
  stepAnchor: StepAnchorSummary | null;
  /** Share of step time per stage, 0..1. */
  stageShares: Partial<Record<StageName, number>>;
  /** Mean over GPUs; null without an NVIDIA GPU. */
  gpuUtilPct: number | null;
  /** The run's process tree; may exceed 100 on several cores. */
  cpuPct: number | null;
  /** A distributed job's rank count: the figures are then the job's (ranks.ts). */
  ranks?: number;
}

export interface StatusInput {
  phase: RunPhase;
  /** What is being shown: a script name or a recording id. */
  label: string;
  figures: StatusFigures | null;
  findings: readonly Finding[];
  /** How a finished run ended, when known. */
  outcome?: RunSummary['status'];
  /** Why a run failed to start. */
  error?: string;
  /** True while the figures cover only the last few seconds. */
  live?: boolean;
  /** When a finished run ended (epoch ms), for "2 min ago". */
  endedAtMs?: number;
  /** The clock the age is read against; the caller's, so the text is a pure function of its input. */
  nowMs?: number;
}

export interface StatusView {
  text: string;
  tooltip: string;
  warning: boolean;
  /** Commands the tooltip links to; the MarkdownString must trust exactly these. */
  linkedCommands: CommandId[];
  /** Set when the text carries an age ("2 min ago"): how often it is worth rendering again. */
  refreshMs: number | null;
}

/** An age in whole minutes changes once a minute: rendering more often shows nothing new. */
export const AGE_REFRESH_MS = 60_000;

/** Findings listed in the tooltip; the panel has the rest. */
const TOOLTIP_FINDINGS = 3;
const SEVERITY_ICON: Record<Severity, string> = { high: '$(warning)', moderate: '$(info)', info: '$(lightbulb)' };

export function statusView(input: StatusInput): StatusView {
  const warning = input.findings.some((f) => f.severity === 'high');
  const linkedCommands: CommandId[] = input.phase === 'starting' || input.phase === 'running' ? [COMMANDS.stop, COMMANDS.showPanel] : [COMMANDS.showPanel, COMMANDS.clearAnnotations];
  const aged = input.phase === 'done' && input.endedAtMs !== undefined;
  return { text: statusText(input), tooltip: tooltip(input, linkedCommands), warning, linkedCommands, refreshMs: aged ? AGE_REFRESH_MS : null };
}

export function statusText(input: StatusInput): string {
  const figures = input.figures;
  const unrecognised = figures?.stepAnchor && stepsUnrecognised(figures.stepAnchor) ? stepsNotRecognisedText(figures.stepAnchor) : null;
  switch (input.phase) {
    case 'idle':
      return '$(pulse) TrainLens';
    case 'starting':
      return `$(loading~spin) TrainLens: starting ${input.label}…`;
    case 'failed':
      return '$(error) TrainLens: run failed';
    case 'stopping':
      return figures && figures.steps > 0 && !unrecognised ? `$(loading~spin) stopping · ${figureText(figures)}` : '$(loading~spin) TrainLens: stopping…';
    case 'running':
      if (unrecognised) return `$(pulse) ${unrecognised}`;
      return figures && figures.steps > 0 ? `$(pulse) ${figureText(figures)}` : '$(pulse) TrainLens: waiting for the first step…';
    case 'done': {
      const { icon, word } = OUTCOMES[input.outcome ?? 'completed'];
      const what = unrecognised ?? (figures && figures.steps > 0 ? figureText(figures) : 'no steps');
      const age = input.endedAtMs !== undefined ? ` · ${ago((input.nowMs ?? Date.now()) - input.endedAtMs)}` : '';
      return `${icon} ${word} ${what}${age}`;
    }
  }
}

/** A finished run looks finished: its own icon and word per outcome, never the live pulse. */
export const OUTCOMES: Record<RunSummary['status'], { icon: string; word: string }> = {
  completed: { icon: '$(check)', word: 'done' },
  stopped: { icon: '$(debug-stop)', word: 'stopped' },
  failed: { icon: '$(error)', word: 'failed' },
  // A recording whose process vanished without an exit: it never said it ended.
  running: { icon: '$(warning)', word: 'cut off' },
};

/** "just now", "2 min ago", "3 h ago", "2 days ago": whole units, as the item refreshes once a minute. */
export function ago(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  return `${days} ${days === 1 ? 'day' : 'days'} ago`;
}

function figureText(figures: StatusFigures): string {
  const parts = [`${formatRate(figures.batchesPerSec)} batch/s`];
  if (figures.ranks !== undefined) parts.push(`${figures.ranks} ranks`);
  // A language model's pace is read in tokens; without them, batches say enough in the bar (samples/s is in the tooltip).
  if (figures.tokensPerSec !== null) parts.push(`${formatCompactRate(figures.tokensPerSec)} tok/s`);
  if (figures.gpuUtilPct !== null) parts.push(`GPU ${formatPct(figures.gpuUtilPct)}`);
  else if (figures.cpuPct !== null) parts.push(`CPU ${formatPct(figures.cpuPct)}`);
  const stage = headlineStage(figures.stageShares);
  if (stage) parts.push(`${STAGE_LABELS[stage]} ${formatShare(figures.stageShares[stage])}`);
  return parts.join(' · ');
}

/** The data share is the question most runs ask ("am I input-bound?"); without it, the largest stage. */
export function headlineStage(shares: Partial<Record<StageName, number>>): StageName | undefined {
  if (shares.data !== undefined) return 'data';
  let best: StageName | undefined;
  for (const stage of STAGE_NAMES) {
    const share = shares[stage];
    if (share !== undefined && (best === undefined || share > (shares[best] ?? 0))) best = stage;
  }
  return best;
}

function tooltip(input: StatusInput, links: readonly CommandId[]): string {
  const blocks = [`**TrainLens** · ${phaseWords(input)} · ${inlineCode(input.label)}`];
  if (input.error) blocks.push(escapeMarkdown(input.error));
  const figures = input.figures;
  const anchor = figures?.stepAnchor;
  if (anchor && stepsUnrecognised(anchor)) blocks.push(escapeMarkdown(stepsNotRecognisedText(anchor)));
  else if (figures && figures.steps > 0) {
    const facts = [`${formatRate(figures.batchesPerSec)} batch/s`];
    if (figures.samplesPerSec !== null) facts.push(`${formatRate(figures.samplesPerSec)} samples/s`);
    if (figures.tokensPerSec !== null) facts.push(`${formatRate(figures.tokensPerSec)} tokens/s`);
    facts.push(`${figures.steps.toLocaleString('en-US')} steps`);
    if (figures.gpuUtilPct !== null) facts.push(`GPU ${formatPct(figures.gpuUtilPct)}`);
    if (figures.cpuPct !== null) facts.push(`CPU ${formatPct(figures.cpuPct)}`);
    blocks.push(facts.join(' · '));
    if (anchor) blocks.push(escapeMarkdown(`${anchorSentence(anchor)}.`));
    const rows = STAGE_NAMES.filter((s) => figures.stageShares[s] !== undefined).map((s): [string, string] => [STAGE_LABELS[s], formatShare(figures.stageShares[s])]);
    if (rows.length > 0) blocks.push(table(['Stage', input.live ? 'Share of step time (last 5 s)' : 'Share of step time'], rows));
  }
  const findings = [...input.findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.impact - a.impact);
  for (const finding of findings.slice(0, TOOLTIP_FINDINGS)) {
    blocks.push(`${SEVERITY_ICON[finding.severity]} **${escapeMarkdown(finding.title)}**: ${escapeMarkdown(finding.message)}`);
  }
  if (findings.length > TOOLTIP_FINDINGS) blocks.push(`…and ${findings.length - TOOLTIP_FINDINGS} more in the panel`);
  blocks.push(links.map((command) => commandLink(LINK_LABELS[command], command)).join(' · '));
  return blocks.join('\n\n');
}

const LINK_LABELS: Record<CommandId, string> = {
  [COMMANDS.profile]: '$(pulse) Profile',
  [COMMANDS.stop]: '$(debug-stop) Stop',
  [COMMANDS.showPanel]: '$(graph) Performance Panel',
  [COMMANDS.openRecording]: '$(folder-opened) Open Recording',
  [COMMANDS.exportRecording]: '$(export) Export Recording',
  [COMMANDS.clearAnnotations]: '$(clear-all) Clear Annotations',
  [COMMANDS.rerunAndCompare]: '$(debug-rerun) Re-run and Compare',
  [COMMANDS.tune]: '$(rocket) Tune Training',
  [COMMANDS.refreshRuns]: '$(refresh) Refresh Runs',
  [COMMANDS.openRun]: '$(go-to-file) Open Run',
  [COMMANDS.compareRuns]: '$(diff) Compare Runs',
  [COMMANDS.compareRunWith]: '$(diff) Compare with…',
  [COMMANDS.revealRun]: '$(folder) Reveal Run Folder',
  [COMMANDS.deleteRun]: '$(trash) Delete Recording',
};

function phaseWords(input: StatusInput): string {
  if (input.phase === 'done') return input.outcome === 'running' ? 'cut off' : (input.outcome ?? 'done');
  return input.phase;
}

/** What the item shows for a finished run or an opened recording: its figures, findings, outcome and end. */
export function summaryStatusInput(phase: RunPhase, label: string, summary: RunSummary): StatusInput {
  return { phase, label, figures: figuresFromSummary(summary), findings: summary.findings, outcome: summary.status, endedAtMs: summary.startedAtMs + summary.durationMs };
}

/** A finished run (or an opened recording) in the same shape as the live figures. */
export function figuresFromSummary(summary: RunSummary): StatusFigures {
  return {
    steps: summary.steps,
    batchesPerSec: summary.throughput.batchesPerSec,
    samplesPerSec: summary.throughput.samplesPerSec,
    tokensPerSec: summary.throughput.tokensPerSec,
    stepAnchor: summary.stepAnchor,
    stageShares: sharesOf(summary.stages),
    gpuUtilPct: summary.telemetry?.gpuUtilPctMean ?? null,
    cpuPct: summary.telemetry?.cpuPctMean ?? null,
    ...(summary.ranks ? { ranks: summary.ranks.length } : {}),
  };
}
