/**
 * TrainLens as it appears in the workbench: its commands by title, its status bar item, its panel.
 * Titles are the user-visible ones (package.json `contributes.commands`, category "TrainLens").
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FrameLocator, Locator } from 'playwright-core';
import { REPO_ROOT } from '../../scripts/code-server';
import { waitFor, type Workbench } from './workbench';

export const TITLES = {
  profile: 'TrainLens: Profile Training',
  stop: 'TrainLens: Stop',
  showPanel: 'TrainLens: Show Performance Panel',
  openRecording: 'TrainLens: Open Recording…',
  clearAnnotations: 'TrainLens: Clear Annotations',
  // Issue 8 (quick fixes, compare): quick-fix-compare.e2e.ts checks the manifest before using it.
  rerunAndCompare: 'TrainLens: Re-run and Compare',
} as const;

/** The workers quick fix, as the lightbulb lists it: "Set DataLoader num_workers=1 (2 cores available)". */
export const WORKERS_FIX_TITLE = 'Set DataLoader num_workers';

/** Command titles as the palette shows them ("Category: Title"), read from the manifest being tested. */
export function contributedCommandTitles(): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    contributes?: { commands?: { title: string; category?: string }[] };
  };
  return (manifest.contributes?.commands ?? []).map((c) => (c.category ? `${c.category}: ${c.title}` : c.title));
}

/** A reading of a run going on now, not a finished or restored one (pulse: running). */
export function isLive(reading: StatusReading): boolean {
  return reading.icon === 'pulse';
}

export interface StatusReading {
  text: string;
  /** The codicon the item leads with: pulse (running), loading (starting/stopping); once ended check (done), debug-stop, error, warning (cut off). */
  icon: string | undefined;
  batchesPerSec: number | undefined;
  atMs: number;
}

export class TrainLensUi {
  constructor(
    readonly workbench: Workbench,
    readonly extensionId: string,
  ) {}

  statusItem(): Locator {
    return this.workbench.statusBarItems(this.extensionId).first();
  }

  async readStatus(): Promise<StatusReading | undefined> {
    const item = this.statusItem();
    if (!(await item.isVisible())) return undefined;
    const [text, icon] = await item.evaluate((el) => {
      const codicon = [...el.querySelectorAll('.codicon')].flatMap((c) => [...c.classList]).find((c) => c.startsWith('codicon-') && c !== 'codicon-modifier-spin');
      return [(el.textContent ?? '').trim(), codicon?.slice('codicon-'.length)] as const;
    });
    const match = /([\d,.]+)\s*batch\/s/.exec(text);
    const rate = match?.[1] ? Number(match[1].replace(/,/g, '')) : undefined;
    return { text, icon, batchesPerSec: rate !== undefined && Number.isFinite(rate) ? rate : undefined, atMs: Date.now() };
  }

  /** Polls the status item until `accept` holds; returns every distinct reading seen on the way. */
  async watchStatus(
    what: string,
    accept: (reading: StatusReading) => boolean,
    timeoutMs: number,
  ): Promise<{ last: StatusReading; seen: StatusReading[] }> {
    const seen: StatusReading[] = [];
    const last = await waitFor(
      what,
      async () => {
        const reading = await this.readStatus();
        if (reading && seen.at(-1)?.text !== reading.text) seen.push(reading);
        return reading && accept(reading) ? reading : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nstatus bar texts seen: ${JSON.stringify(seen.map((s) => s.text))}`);
    });
    return { last, seen };
  }

  async profileActiveFile(): Promise<number> {
    const startedAt = Date.now();
    await this.workbench.runCommand(TITLES.profile);
    return startedAt;
  }

  /**
   * The performance panel's document. Opens it through the command first; the webview is ready
   * once its script rendered (a ready handshake with the host precedes the first snapshot).
   */
  async openPanel(): Promise<FrameLocator> {
    await this.workbench.runCommand(TITLES.showPanel);
    const frame = this.panelFrame();
    await frame.locator('body *').first().waitFor({ state: 'attached', timeout: 20_000 });
    return frame;
  }

  /** The panel's document, however it was opened (command, status bar click, compare). */
  panelFrame(): FrameLocator {
    return this.workbench.webview(this.extensionId);
  }
}
