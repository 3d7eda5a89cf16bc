/**
 * Batches/s per trial (uPlot): one point per trial that measured a rate, in the order trials ran,
 * the script's own settings in one colour and the settings tried in another, the noise band around
 * the script's own speed shaded and the rungs parted by dashed lines.
 */
import uPlot from 'uplot';
import { formatRate } from '../../core/format';
import { rungLabel, tuneChartData, type TuneChartData } from '../../core/tune/tune-chart';
import type { TunePanelState, TuneTrialRow } from '../../protocol/tune-messages';
import { h } from '../dom';
import { withAlpha, type ChartTheme } from '../theme';

const HEIGHT_PX = 220;
const POINT_PX = 8;

/** A round upper bound so the axis does not jump with every new maximum. */
function niceMax(max: number): number {
  if (!Number.isFinite(max) || max <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 2.5, 5, 10].find((s) => s * magnitude >= max * 1.1) ?? 10) * magnitude;
}

export class TunePlot {
  private plot: uPlot | null = null;
  private data: TuneChartData = tuneChartData([], null);
  private rows: TuneTrialRow[] = [];
  private readonly plotEl = h('div', { class: 'plot' });
  private readonly noteEl = h('p', { class: 'note' }, 'No trial has measured a rate yet.');
  private readonly resize = new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT_PX }));

  constructor(root: HTMLElement, private theme: ChartTheme) {
    root.append(h('h3', {}, 'Batches/s per trial'), this.plotEl, this.noteEl);
    this.resize.observe(this.plotEl);
  }

  setTheme(theme: ChartTheme): void {
    this.theme = theme;
    this.plot?.destroy();
    this.plot = null;
    this.update(null);
  }

  /** Re-plots from `state` (null: the last state again). */
  update(state: TunePanelState | null): void {
    if (state) {
      this.rows = state.trials;
      this.data = tuneChartData(state.trials, state.band);
    }
    // The e2e test counts the points plotted against the trials listed.
    this.plotEl.dataset.points = String(this.data.points);
    this.noteEl.hidden = this.data.points > 0;
    this.plotEl.hidden = this.data.points === 0;
    if (this.plotEl.hidden) return;
    const aligned: uPlot.AlignedData = [this.data.x, this.data.asWritten, this.data.tried];
    if (this.plot) this.plot.setData(aligned);
    else this.plot = new uPlot({ ...this.options(), width: this.width(), height: HEIGHT_PX }, aligned, this.plotEl);
  }

  private options(): Omit<uPlot.Options, 'width' | 'height'> {
    const t = this.theme;
    const axis = { stroke: t.muted, font: t.font, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 } };
    const points = (color: string): uPlot.Series => ({
      stroke: color,
      fill: color,
      width: 0,
      paths: () => null,
      points: { show: true, size: POINT_PX, stroke: color, fill: color },
      value: (_u, v) => formatRate(v),
    });
    return {
      cursor: { drag: { x: false, y: false } },
      legend: { show: true, live: true },
      scales: {
        x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] },
        y: { range: (_u, _min, max) => [0, niceMax(Math.max(max, this.data.band?.high ?? 0))] },
      },
      axes: [
        { ...axis, incrs: [1, 2, 5, 10, 20, 50, 100], values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? `#${v}` : '')) },
        { ...axis, values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? v.toLocaleString('en-US') : formatRate(v))) },
      ],
      series: [
        { label: 'trial', value: (_u, v) => this.describe(v) },
        { ...points(t.muted), label: 'as written' },
        { ...points(t.blue), label: 'settings tried' },
      ],
      hooks: { drawClear: [(u) => this.drawBandAndRungs(u)] },
    };
  }

  private describe(index: number | null): string {
    const row = this.rows.find((r) => r.index === index);
    return row ? `#${row.index} ${rungLabel(row.rung)}: ${row.settingsText}` : '–';
  }

  /** Under the points: the band of the script's own speed, and a dashed line where a rung ends. */
  private drawBandAndRungs(u: uPlot): void {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    ctx.save();
    const band = this.data.band;
    if (band) {
      const high = u.valToPos(band.high, 'y', true);
      const low = u.valToPos(band.low, 'y', true);
      ctx.fillStyle = withAlpha(this.theme.muted, 0.25);
      ctx.fillRect(left, high, width, low - high);
      ctx.strokeStyle = this.theme.muted;
      ctx.setLineDash([2, 3]);
      const mid = u.valToPos(band.mid, 'y', true);
      ctx.beginPath();
      ctx.moveTo(left, mid);
      ctx.lineTo(left + width, mid);
      ctx.stroke();
    }
    ctx.strokeStyle = withAlpha(this.theme.muted, 0.6);
    ctx.setLineDash([5, 4]);
    for (const at of this.data.rungBreaks) {
      const x = u.valToPos(at, 'x', true);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
    }
    // Each rung's name at the top left of its part of the chart: the y axis leaves headroom there.
    const ratio = uPlot.pxRatio;
    ctx.fillStyle = this.theme.muted;
    ctx.font = this.theme.font.replace(/^\d+px/, `${Math.round(11 * ratio)}px`);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    const starts = [left, ...this.data.rungBreaks.map((at) => u.valToPos(at, 'x', true))];
    const names = this.data.rungs.filter((rung, i) => i === 0 || rung !== this.data.rungs[i - 1]);
    starts.forEach((x, i) => {
      const label = rungLabel(names[i] ?? 0);
      const room = (starts[i + 1] ?? left + width) - x - 8 * ratio;
      // A rung too narrow for its name (the baseline's one trial among many) keeps it in the legend.
      if (ctx.measureText(label).width <= room) ctx.fillText(label, x + 4 * ratio, top + 2 * ratio);
    });
    ctx.restore();
  }

  private width(): number {
    return Math.max(200, Math.floor(this.plotEl.clientWidth || this.plotEl.parentElement?.clientWidth || 400));
  }
}
