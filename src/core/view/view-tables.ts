/** The panel's tables, built from live events or from the final summary: pure mapping functions. */
import { STAGE_NAMES, type FrameworkEvent, type StepEvent } from '../../protocol/events';
import type { HardwareEvent } from '../../protocol/recording';
import type {
  PanelCeilings,
  PanelFinding,
  PanelGpu,
  PanelHotLine,
  PanelLocation,
  PanelRunInfo,
  PanelStageRow,
  PanelStageTable,
} from '../../protocol/webview-messages';
import { compareFindings, type Finding } from '../findings/finding';
import type { PcieUnderLoad } from '../hardware-check';
import type { Ceilings, HotLine, RunSummary } from '../summary';

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
  const totalMs = steps.reduce((sum, s) => sum + s.ms, 0);
  const rows: PanelStageRow[] = [];
  if (steps.length > 0 && totalMs > 0) {
    for (const stage of STAGE_NAMES) {
      const measured = steps.filter((s) => typeof s.stages[stage] === 'number');
      if (measured.length === 0) continue;
      const stageMs = measured.reduce((sum, s) => sum + (s.stages[stage] ?? 0), 0);
      const device = framework?.deviceTiming ? steps.map((s) => s.device?.[stage]).filter((v): v is number => typeof v === 'number') : [];
      rows.push({
        stage,
        ms: stageMs / steps.length,
        share: stageMs / totalMs,
        deviceMs: device.length > 0 ? device.reduce((a, b) => a + b, 0) / device.length : null,
      });
    }
  }
  return { steps: steps.length, windowMs, rows, forwardBackwardMerged: framework?.stages.includes('forwardBackward') ?? false };
}

export function summaryStageTable(summary: RunSummary): PanelStageTable {
  const rows: PanelStageRow[] = [];
  for (const stage of STAGE_NAMES) {
    const figures = summary.stages[stage];
    if (!figures) continue;
    rows.push({ stage, ms: figures.ms, share: figures.share, deviceMs: summary.deviceStages?.[stage] ?? null });
  }
  return {
    steps: Math.max(0, summary.steps - summary.warmupSteps),
    windowMs: null,
    rows,
    forwardBackwardMerged: summary.separatedStages.includes('forwardBackward'),
  };
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

