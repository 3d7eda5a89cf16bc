/**
 * Workspace trust: in a folder the user did not trust, Profile Training runs nothing and says why.
 * Its own code-server with trust enabled and a fresh profile, so the folder opens untrusted.
 */
import assert from 'node:assert/strict';
import { e2e, forDocs, openEditor, workspaceFile, type EditorSession } from './environment';
import { INPUT_BOUND } from './examples';
import { processTreeOf } from '../processes';
import { TITLES, TrainLensUi } from './trainlens-ui';

describe('Profile Training in an untrusted folder', function () {
  let session: EditorSession | undefined;

  after(async function () {
    await session?.close();
  });

  it('refuses to run and says why', async function () {
    session = await openEditor('untrusted', { trust: 'prompt' });
    const { workbench } = session;
    await workbench.screenshot('trust-dialog');
    await workbench.trustDialog().getByRole('button', { name: /No, I don't trust/ }).click();
    await workbench.page.locator('.part.statusbar', { hasText: 'Restricted Mode' }).waitFor({ state: 'visible' });
    await workbench.openFile(INPUT_BOUND);
    const ui = new TrainLensUi(workbench, e2e().extensionId);
    await workbench.runCommand(TITLES.profile);
    const toast = workbench.notificationToasts().filter({ hasText: 'untrusted' }).first();
    await toast.waitFor({ state: 'visible', timeout: 15_000 });
    const message = (await toast.innerText()).replace(/\s+/g, ' ');
    // The toast slides in: screenshot it once the workbench marks its animation done.
    await workbench.page.locator('.notification-toast.notification-fade-in-done', { hasText: 'untrusted' }).waitFor({ timeout: 5000 }).catch(() => undefined);
    await workbench.screenshot('untrusted-refused');
    await forDocs(toast, 'untrusted.png');
    assert.match(message, /TrainLens/, `the message names TrainLens: ${message}`);
    assert.match(message, /trust/i, `the message says trust is why: ${message}`);
    assert.deepEqual(processTreeOf(workspaceFile(INPUT_BOUND)), [], 'nothing of the script runs');
    const status = await ui.readStatus();
    assert.ok(!status || status.batchesPerSec === undefined, `no figures in the status bar: ${status?.text ?? ''}`);
  });
});
