/** Entry point VS Code calls in its extension host (extensionTestsPath): runs the bundled suite with mocha. */
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: true });
  // The suite is bundled, not loaded from files: give it mocha's globals (describe, it), then
  // load it (a require, so that it runs here and not hoisted above this line).
  mocha.suite.emit('pre-require', globalThis, 'extension.suite', mocha);
  require('./extension.suite');
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} VS Code test(s) failed`);
}
