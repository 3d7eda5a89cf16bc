/**
 * The four time-series charts (uPlot): throughput, stage breakdown (stacked shares), GPU, CPU and
 * memory. Charts are built once and fed with setData; they are rebuilt only when their shape
 * changes (a stage appears, GPU data starts) or the theme does.
 */
import uPlot from 'uplot';
import { formatBytes, formatRate, formatShare, MIB, STAGE_LABELS } from '../core/format';
import { STAGE_NAMES, type StageName } from '../protocol/events';
import type { PanelSeries, PanelView } from '../protocol/webview-messages';
import { fill, formatElapsed, h } from './dom';
import { withAlpha, type ChartTheme } from './theme';

const CHART_HEIGHT_PX = 170;

type Column = Array<number | null>;

interface ChartSpec {
  title: string;
  /** The chart cannot apply to this run at all (e.g. no GPU in the machine). */
  hidden?(view: PanelView): boolean;
  /** Why there is nothing to plot, or null. */
  empty(view: PanelView): string | null;
  /** Options change only when this does. */
  shape(view: PanelView): string;
  options(theme: ChartTheme, view: PanelView): Omit<uPlot.Options, 'width' | 'height'>;
  data(series: PanelSeries): uPlot.AlignedData;
}

/** Tick steps for byte axes: 1, 2, 4, 8… of each binary unit, so ticks land on round GiB/MiB. */
const BINARY_INCRS = Array.from({ length: 45 }, (_, i) => 2 ** i);
const MIB_INCRS = Array.from({ length: 25 }, (_, i) => 2 ** i);

/** Axis labels: whole numbers plainly, the rest with formatRate's 3 digits. */
const axisNumber = (v: number): string => (Number.isInteger(v) ? v.toLocaleString('en-US') : formatRate(v));

const hasValues = (column: Column): boolean => column.some((v) => v !== null);
const stagesIn = (series: PanelSeries): StageName[] => STAGE_NAMES.filter((s) => series.stageShare[s] !== undefined);

/** Elapsed-time ticks on round seconds, minutes and hours. */
const TIME_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

function xAxis(theme: ChartTheme): uPlot.Axis {
  return { ...axisStyle(theme), incrs: TIME_INCRS, values: (_u, splits) => splits.map((s) => formatElapsed(s)) };
}

function axisStyle(theme: ChartTheme): uPlot.Axis {
  return { stroke: theme.muted, font: theme.font, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid, width: 1 } };
}

/** The legend shows the latest measured values while the pointer is not over the chart. */
function showLatest(u: uPlot): void {
  if (u.cursor.idx !== null && u.cursor.idx !== undefined) return;
  let last = u.data[0].length - 1;
  while (last > 0 && u.data.slice(1).every((column) => column[last] === null || column[last] === undefined)) last--;
  u.setLegend({ idx: last });
}

function baseOptions(): Pick<uPlot.Options, 'cursor' | 'legend' | 'hooks'> {
  // No drag-zoom: live data would reset the zoom ten times a second.
  return { cursor: { drag: { x: false, y: false } }, legend: { show: true, live: true }, hooks: { setCursor: [showLatest] } };
}

const timeSeries = (): uPlot.Series => ({ label: 'time', value: (_u, v) => (v === null ? '–' : formatElapsed(v)) });

const throughput: ChartSpec = {
  title: 'Throughput',
  empty: (view) => (hasValues(view.series.batchesPerSec) ? null : view.tables.headline.stepsRecognised ? 'No training steps yet.' : view.tables.headline.stepsNote),
  shape: (view) => String(hasValues(view.series.samplesPerSec)),
  options: (theme, view) => {
    const samples = hasValues(view.series.samplesPerSec);
    return {
      ...baseOptions(),
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, niceMax(max)] }, samples: { range: (_u, _min, max) => [0, niceMax(max)] } },
      axes: [
        xAxis(theme),
        { ...axisStyle(theme), values: (_u, splits) => splits.map(axisNumber) },
        ...(samples ? [{ ...axisStyle(theme), scale: 'samples', side: 1, size: 60, grid: { show: false }, values: (_u: uPlot, splits: number[]) => splits.map(axisNumber) }] : []),
      ],
      series: [
        timeSeries(),
        { label: 'batches/s', stroke: theme.blue, fill: withAlpha(theme.blue, 0.12), width: 1.5, spanGaps: true, value: (_u, v) => formatRate(v) },
        ...(samples ? [{ label: 'samples/s', scale: 'samples', stroke: theme.green, width: 1, spanGaps: true, value: (_u: uPlot, v: number | null) => formatRate(v) }] : []),
      ],
    };
  },
  data: (series) => (hasValues(series.samplesPerSec) ? [series.tS, series.batchesPerSec, series.samplesPerSec] : [series.tS, series.batchesPerSec]),
};

/** Stacked: each series is the running total up to its stage, drawn top stage first so lower ones paint over. */
const stages: ChartSpec = {
  title: 'Stage breakdown (share of step time)',
  empty: (view) => (stagesIn(view.series).length > 0 ? null : 'No stage times yet.'),
  shape: (view) => stagesIn(view.series).join(','),
  options: (theme, view) => {
    const order = stagesIn(view.series).reverse();
    return {
      ...baseOptions(),
      scales: { x: { time: false }, y: { range: [0, 1] } },
      axes: [xAxis(theme), { ...axisStyle(theme), values: (_u, splits) => splits.map((v) => formatShare(v)) }],
      series: [
        timeSeries(),
        ...order.map((stage): uPlot.Series => ({
          label: STAGE_LABELS[stage],
          stroke: theme.stageLine[stage],
          fill: theme.stageFill[stage],
          width: 1,
          // The legend shows the stage's own share: its running total minus the one drawn below it.
          value: (u, v, si, idx) => (v === null || idx === null ? '–' : formatShare(v - (u.data[si + 1]?.[idx] ?? 0))),
        })),
      ],
    };
  },
  data: (series) => {
    const order = stagesIn(series);
    const totals: Column[] = [];
    let below: Column = series.tS.map(() => 0);
    for (const stage of order) {
      const own = series.stageShare[stage] ?? [];
      below = below.map((b, i) => (b === null || own[i] === null || own[i] === undefined ? null : b + (own[i] as number)));
      totals.push(below);
    }
    return [series.tS, ...totals.reverse()];
  },
};

const gpu: ChartSpec = {
  title: 'GPU',
  // The run info says why (e.g. "no NVIDIA GPU found"); an empty card would only take room.
  hidden: (view) => view.tables.runInfo.hardware?.gpus.length === 0 && !hasValues(view.series.gpuUtilPct),
  empty: (view) =>
    hasValues(view.series.gpuUtilPct) || hasValues(view.series.gpuMemUsedMiB)
      ? null
      : (view.tables.runInfo.hardware?.gpuNote ?? (view.tables.headline.scope === 'live' ? 'No GPU telemetry yet.' : 'No GPU telemetry for this run.')),
  shape: (view) => String(view.tables.headline.gpuMemTotalMiB),
  options: (theme, view) => {
    const totalMiB = view.tables.headline.gpuMemTotalMiB;
    return {
      ...baseOptions(),
      scales: { x: { time: false }, y: { range: [0, 100] }, mem: { range: (_u, _min, max) => [0, totalMiB ?? binaryCeil(max)] } },
      axes: [
        xAxis(theme),
        { ...axisStyle(theme), values: (_u, splits) => splits.map((v) => `${v}%`) },
        { ...axisStyle(theme), scale: 'mem', side: 1, size: 64, grid: { show: false }, incrs: MIB_INCRS, values: (_u, splits) => splits.map((v) => formatBytes(v * MIB)) },
      ],
      series: [
        timeSeries(),
        { label: 'utilisation', stroke: theme.green, fill: withAlpha(theme.green, 0.12), width: 1.5, value: (_u, v) => (v === null ? '–' : `${Math.round(v)}%`) },
        { label: 'memory', scale: 'mem', stroke: theme.purple, width: 1.5, value: (_u, v) => (v === null ? '–' : formatBytes(v * MIB)) },
      ],
    };
  },
  data: (series) => [series.tS, series.gpuUtilPct, series.gpuMemUsedMiB],
};

const cpu: ChartSpec = {
  title: 'CPU and memory',
  empty: (view) => (hasValues(view.series.systemCpuPct) ? null : 'No CPU telemetry yet.'),
  shape: () => '',
  options: (theme) => ({
    ...baseOptions(),
    scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(100, niceMax(max))] }, rss: { range: (_u, _min, max) => [0, binaryCeil(max)] } },
    axes: [
      xAxis(theme),
      { ...axisStyle(theme), values: (_u, splits) => splits.map((v) => `${v}%`) },
      { ...axisStyle(theme), scale: 'rss', side: 1, size: 64, grid: { show: false }, incrs: BINARY_INCRS, values: (_u, splits) => splits.map((v) => formatBytes(v)) },
    ],
    series: [
      timeSeries(),
      { label: 'training CPU (% of a core)', stroke: theme.blue, fill: withAlpha(theme.blue, 0.12), width: 1.5, value: (_u, v) => (v === null ? '–' : `${Math.round(v)}%`) },
      { label: 'machine CPU', stroke: theme.yellow, width: 1, value: (_u, v) => (v === null ? '–' : `${Math.round(v)}%`) },
      { label: 'RSS', scale: 'rss', stroke: theme.purple, width: 1.5, value: (_u, v) => formatBytes(v) },
    ],
  }),
  data: (series) => [series.tS, series.cpuPct, series.systemCpuPct, series.rssBytes],
};

const SPECS: readonly ChartSpec[] = [throughput, stages, gpu, cpu];

/** A round upper bound so the axis does not jump with every new maximum. */
function niceMax(max: number | null): number {
  if (max === null || !Number.isFinite(max) || max <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * magnitude >= max * 1.1) ?? 10;
  return step * magnitude;
}

/** The next power of two above max (with headroom), for byte scales. */
function binaryCeil(max: number | null): number {
  if (max === null || !Number.isFinite(max) || max <= 0) return 1;
  return 2 ** Math.ceil(Math.log2(max * 1.1));
}

interface ChartSlot {
  spec: ChartSpec;
  card: HTMLElement;
  plotEl: HTMLElement;
  noteEl: HTMLElement;
  plot: uPlot | null;
  shape: string;
}

export class Charts {
  private readonly slots: ChartSlot[];
  private readonly resize = new ResizeObserver(() => this.fitWidths());

  constructor(root: HTMLElement, private theme: ChartTheme) {
    this.slots = SPECS.map((spec) => {
      const plotEl = h('div', { class: 'plot' });
      const noteEl = h('p', { class: 'note' });
      const card = h('section', { class: 'chart card' }, h('h3', {}, spec.title), plotEl, noteEl);
      root.append(card);
      this.resize.observe(plotEl);
      return { spec, card, plotEl, noteEl, plot: null, shape: '' };
    });
  }

  /** The editor's theme changed: rebuild every chart with the new colours. */
  setTheme(theme: ChartTheme, view: PanelView | null): void {
    this.theme = theme;
    for (const slot of this.slots) this.destroy(slot);
    if (view) this.update(view);
  }

  update(view: PanelView): void {
    for (const slot of this.slots) {
      const hidden = slot.spec.hidden?.(view) ?? false;
      const why = hidden ? null : slot.spec.empty(view);
      slot.card.hidden = hidden;
      fill(slot.noteEl, why ?? '');
      slot.plotEl.hidden = hidden || why !== null;
      if (slot.plotEl.hidden) {
        this.destroy(slot);
        continue;
      }
      const shape = slot.spec.shape(view);
      if (slot.plot && shape !== slot.shape) this.destroy(slot);
      if (!slot.plot) {
        const options: uPlot.Options = { ...slot.spec.options(this.theme, view), width: this.widthOf(slot), height: CHART_HEIGHT_PX };
        slot.plot = new uPlot(options, slot.spec.data(view.series), slot.plotEl);
        slot.shape = shape;
      } else {
        slot.plot.setData(slot.spec.data(view.series));
      }
      showLatest(slot.plot);
    }
  }

  private destroy(slot: ChartSlot): void {
    slot.plot?.destroy();
    slot.plot = null;
  }

  private widthOf(slot: ChartSlot): number {
    return Math.max(200, Math.floor(slot.plotEl.clientWidth || slot.plotEl.parentElement?.clientWidth || 400));
  }

  private fitWidths(): void {
    for (const slot of this.slots) {
      if (slot.plot && slot.plot.width !== this.widthOf(slot)) slot.plot.setSize({ width: this.widthOf(slot), height: CHART_HEIGHT_PX });
    }
  }
}
