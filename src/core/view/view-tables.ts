/** The panel's tables, built from live events or from the final summary: pure mapping functions. */
import { STAGE_NAMES, type FrameworkEvent, type StageName, type StepEvent } from '../../protocol/events';
import type { HardwareEvent } from '../../protocol/recording';
import type {
  PanelCeilings,
  PanelFinding,
  PanelGpu,
  PanelHeadline,
  PanelHotLine,
  PanelLocation,
  PanelRunInfo,
  PanelStageRow,
  PanelStageTable,
} from '../../protocol/webview-messages';
import { deviceStagesOf, stagesOf } from '../aggregator';
import { isStaged } from '../staged-steps';
import { compareFindings, type Finding } from '../findings/finding';
import type { PcieUnderLoad } from '../hardware-check';
import { anchorSentence, stepsNotRecognisedText, stepsUnrecognised, type StepAnchorSummary } from '../step-anchor';
import type { Ceilings, HotLine, RunSummary, StageSummary } from '../summary';

/** Hot lines the panel lists; the editor's heat shows the rest. */
export const PANEL_HOT_LINES = 15;

/** `file` relative to `cwd` when inside it (either separator), else unchanged. */
export function displayPath(file: string, cwd: string): string {
  if (!cwd) return file;
  const base = cwd.replace(/[\\/]+$/, '');
  for (const sep of ['/', '\\']) {
    if (file.startsWith(base + sep)) return file.slice(base.length + 1);
  }
  return file;
}

export function locationOf(file: string, line: number, cwd: string, why: string | null = null): PanelLocation {
  return { file, line, displayPath: displayPath(file, cwd), why };
}

export function liveStageTable(steps: readonly StepEvent[], windowMs: number, framework: FrameworkEvent | undefined): PanelStageTable {
  const device = framework?.deviceTiming ? deviceStagesOf(steps) : null;
  const staged = steps.filter(isStaged).length;
  return {
    steps: steps.length,
    ...(staged < steps.length ? { stagedSteps: staged } : {}),
    windowMs,
    rows: stageRows(stagesOf(steps), device),
    forwardBackwardMerged: framework?.stages.includes('forwardBackward') ?? false,
  };
}

/** The headline's words on what ends a step; unknown (null) counts as recognised until the runner says. */
export function panelSteps(anchor: StepAnchorSummary | null): Pick<PanelHeadline, 'stepsNote' | 'stepsRecognised'> {
  if (!anchor) return { stepsNote: null, stepsRecognised: true };
  if (stepsUnrecognised(anchor)) return { stepsNote: stepsNotRecognisedText(anchor), stepsRecognised: false };
  return { stepsNote: anchorSentence(anchor), stepsRecognised: true };
}

export function summaryStageTable(summary: RunSummary): PanelStageTable {
  return {
    steps: Math.max(0, summary.steps - summary.warmupSteps),
    ...(summary.stagedSteps !== undefined ? { stagedSteps: summary.stagedSteps } : {}),
    windowMs: null,
    rows: stageRows(summary.stages, summary.deviceStages),
    forwardBackwardMerged: summary.separatedStages.includes('forwardBackward'),
  };
}

function stageRows(stages: Partial<Record<StageName, StageSummary>>, device: Partial<Record<StageName, number>> | null): PanelStageRow[] {
  return STAGE_NAMES.flatMap((stage) => {
    const figures = stages[stage];
    return figures ? [{ stage, ms: figures.ms, share: figures.share, deviceMs: device?.[stage] ?? null }] : [];
  });
}

export function panelHotLines(lines: readonly HotLine[], cwd: string): PanelHotLine[] {
  return lines.slice(0, PANEL_HOT_LINES).map((h) => ({
    ...locationOf(h.file, h.line, cwd),
    share: h.share,
    samples: h.samples,
    stage: h.stage,
    fn: h.fn,
    via: h.path[h.path.length - 1] ?? null,
  }));
}

export function panelFindings(findings: readonly Finding[], cwd: string): PanelFinding[] {
  return [...findings]
    .sort(compareFindings)
    .map((f) => ({
      code: f.code,
      severity: f.severity,
      title: f.title,
      message: f.message,
      locations: f.locations.map((l) => locationOf(l.file, l.line, cwd, l.why ?? null)),
      fixes: [...f.fixes],
      impact: f.impact,
    }));
}

export function panelCeilings(ceilings: Ceilings | null): PanelCeilings | null {
  if (!ceilings) return null;
  const data = ceilings.dataOnlyBatchesPerSec;
  const compute = ceilings.computeOnlyBatchesPerSec;
  return {
    actualBatchesPerSec: ceilings.actualBatchesPerSec,
    ceilingBatchesPerSec: ceilings.ceilingBatchesPerSec,
    dataOnlyBatchesPerSec: data,
    computeOnlyBatchesPerSec: compute,
    gap: ceilings.gap,
    limitedBy: data !== null && compute !== null ? (data < compute ? 'data' : 'compute') : null,
    note: ceilings.note,
  };
}

export function panelHardware(hardware: HardwareEvent | null, links: readonly PcieUnderLoad[]): PanelRunInfo['hardware'] {
  if (!hardware) return null;
  const gpus: PanelGpu[] = hardware.gpus.map((g) => {
    const link = links.find((l) => l.index === g.index);
    return {
      index: g.index,
      name: g.name,
      memTotalMiB: g.memTotalMiB,
      pcieGenMax: g.pcieGenMax,
      pcieWidthMax: g.pcieWidthMax,
      pcieGen: link?.pcieGen ?? null,
      pcieWidth: link?.pcieWidth ?? null,
    };
  });
  return {
    cpuModel: hardware.cpu.model,
    physicalCores: hardware.cpu.physicalCores,
    logicalCores: hardware.cpu.logicalCores,
    memTotalBytes: hardware.memTotalBytes,
    gpus,
    nvlink: hardware.nvlink,
    gpuNote: hardware.gpuNote ?? null,
  };
}

