/** One live line on a terminal's stderr: steps, batches/s, stage split. Redrawn at most once a second. */
import { formatRate, formatShare, STAGE_LABELS } from '../core/format';
import type { RunSession } from '../host/run-session';
import type { StageName } from '../protocol/events';

const REDRAW_MS = 1000;

export class ProgressLine {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly session: RunSession,
    private readonly out: NodeJS.WritableStream,
  ) {
    this.timer = setInterval(() => this.draw(), REDRAW_MS);
    this.timer.unref();
  }

  dispose(): void {
    clearInterval(this.timer);
    this.out.write('\r\x1b[2K');
  }

  private draw(): void {
    const live = this.session.live();
    if (live.steps === 0) return;
    const stages = Object.entries(live.stageShares)
      .map(([name, share]) => `${STAGE_LABELS[name as StageName]} ${formatShare(share)}`)
      .join(' · ');
    const ranks = live.ranks !== undefined ? ` · ${live.ranks} ranks` : '';
    this.out.write(`\r\x1b[2Ktrainlens: step ${live.steps} · ${formatRate(live.batchesPerSec)} batch/s${ranks} · ${stages}`);
  }
}
