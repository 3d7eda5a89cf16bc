/**
 * Drives VS Code's workbench (in code-server, in Chromium) the way a user does: palette, quick
 * open, status bar, Problems, notifications, webviews. Selectors prefer roles and aria labels;
 * every wait is on a condition.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';

export class Workbench {
  private shotIndex = 0;

  constructor(
    readonly page: Page,
    /** Where screenshots go; names get a running number so they sort by stage. */
    private readonly shotsDir: string,
    private readonly shotPrefix: string,
  ) {}

  async screenshot(stage: string): Promise<string> {
    this.shotIndex += 1;
    const file = path.join(this.shotsDir, `${this.shotPrefix}-${String(this.shotIndex).padStart(2, '0')}-${stage}.png`);
    fs.mkdirSync(this.shotsDir, { recursive: true });
    await this.page.screenshot({ path: file });
    return file;
  }

  async waitForReady({ expectTrustDialog }: { expectTrustDialog: boolean }): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    if (expectTrustDialog) {
      await this.trustDialog().waitFor({ state: 'visible', timeout: 60_000 });
      return;
    }
    // The explorer has rendered the folder: the window is usable, not just painted.
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
  }

  /** The modal Workspace Trust dialog a first visit to a folder shows. */
  trustDialog(): Locator {
    return this.page.locator('.monaco-dialog-box', { hasText: 'trust the authors' });
  }

  /** The quick input (palette / quick open) once it is showing. */
  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  private async openQuickInput(prefix: string): Promise<Locator> {
    const input = this.quickInput.locator('input.input');
    // A webview that is still loading takes the focus when it is done, which closes the quick
    // input again: try again until it opens and stays open with our text in it.
    for (let attempt = 1; ; attempt += 1) {
      // Keys pressed while a webview (an iframe) has focus may not reach the workbench.
      await this.page.evaluate('document.activeElement && document.activeElement.blur()');
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('F1');
      try {
        await input.waitFor({ state: 'visible', timeout: 3000 });
        await input.fill(prefix, { timeout: 3000 });
        if ((await input.isVisible()) && (await input.inputValue()) === prefix) return input;
      } catch (error) {
        if (attempt >= 4) throw error;
      }
      if (attempt >= 4) throw new Error(`the quick input did not stay open for "${prefix}"`);
    }
  }

  /** Runs a command from the palette by its exact title ("TrainLens: Profile Training"). */
  async runCommand(title: string): Promise<void> {
    const input = await this.openQuickInput(`>${title}`);
    const row = this.quickInput.getByRole('option', { name: title, exact: false }).filter({
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }),
    });
    await row.first().waitFor({ state: 'visible', timeout: 15_000 });
    await row.first().click();
    await input.waitFor({ state: 'hidden' });
  }

  /** The command titles the palette offers for a query (empty when none match). */
  async paletteTitles(query: string): Promise<string[]> {
    await this.openQuickInput(`>${query}`);
    const rows = this.quickInput.locator('.quick-input-list .monaco-list-row .label-name');
    await rows.first().waitFor({ state: 'visible', timeout: 10_000 }).catch(() => undefined);
    const titles = await rows.allInnerTexts();
    await this.page.keyboard.press('Escape');
    return titles.map((t) => t.trim());
  }

  /** Opens a workspace file through quick open, like Ctrl+P, and waits for its editor tab. */
  async openFile(relativePath: string): Promise<void> {
    const input = await this.openQuickInput(relativePath);
    const base = path.basename(relativePath);
    const row = this.quickInput.locator('.quick-input-list .monaco-list-row', {
      has: this.page.locator('.label-description', { hasText: path.dirname(relativePath) }),
    }).filter({ has: this.page.locator('.label-name', { hasText: base }) });
    await row.first().waitFor({ state: 'visible', timeout: 15_000 });
    await input.press('Enter');
    await this.activeTab(base).waitFor({ state: 'visible' });
    await this.activeEditor().locator('.view-lines').waitFor({ state: 'visible' });
  }

  /** The text editor of the active editor group. */
  activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
  }

  activeTab(fileName: string): Locator {
    return this.page.locator('.editor-group-container.active .tabs-container .tab.active', { hasText: fileName });
  }

  /** Puts the cursor on a 1-based line (Go to Line) so it is in view. */
  async goToLine(line: number): Promise<void> {
    await this.openQuickInput(`:${line}`);
    await this.page.keyboard.press('Enter');
    await this.quickInput.locator('input.input').waitFor({ state: 'hidden' });
  }

  /**
   * The rendered line (`.view-line`) and its overlay row (`.view-overlays > div`, where whole-line
   * decorations are drawn) for a 1-based line number, brought into view first. Both layers
   * position rows by the same `top`, which is how they are matched to the margin's line number.
   */
  async editorLine(line: number): Promise<{ text: Locator; overlay: Locator }> {
    await this.goToLine(line);
    const editor = this.activeEditor();
    const number = editor.locator('.margin-view-overlays .line-numbers', { hasText: new RegExp(`^${line}$`) });
    await number.waitFor({ state: 'visible' });
    const top = await number.evaluate((el) => /top:\s*([\d.]+px)/.exec(el.parentElement?.getAttribute('style') ?? '')?.[1]);
    if (top === undefined) throw new Error(`line ${line} has no position`);
    return {
      text: editor.locator(`.view-lines > .view-line[style*="top:${top};"]`),
      overlay: editor.locator(`.view-overlays > div[style*="top:${top};"]`),
    };
  }

  /** The editor area (all editor groups, webviews drawn over them included). */
  editorPart(): Locator {
    return this.page.locator('.part.editor');
  }

  /** The active editor group: its tabs, breadcrumbs and editor. */
  activeGroup(): Locator {
    return this.page.locator('.editor-group-container.active');
  }

  /** The webview's element in the workbench: its box is where the panel is drawn. */
  webviewElement(extensionId: string): Locator {
    return this.page.locator(`iframe.webview.ready[src*="extensionId=${extensionId}"]`);
  }

  /** Status bar entries contributed by an extension: `id="<publisher.name>.<item id>"`. */
  statusBarItems(extensionId: string): Locator {
    return this.page.locator(`.part.statusbar [id^="${extensionId}."]`);
  }

  notificationToasts(): Locator {
    return this.page.locator('.notifications-toasts .notification-toast');
  }

  /**
   * A webview's content frame. VS Code nests two iframes per webview: the outer host
   * (`iframe.webview`, tagged with the extension id) and `#active-frame` with the real document.
   */
  webview(extensionId: string): FrameLocator {
    return this.page
      .frameLocator(`iframe.webview.ready[src*="extensionId=${extensionId}"]`)
      .frameLocator('#active-frame');
  }

  /** Opens the Problems panel and returns its rows (aria labels carry message, code and place). */
  async problems(): Promise<Locator> {
    const panel = this.page.locator('.markers-panel');
    if (!(await panel.isVisible())) await this.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    await panel.waitFor({ state: 'visible' });
    return panel.locator('.monaco-list-row');
  }
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Polls `probe` until it returns a value, or throws with the last observation. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 15_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
