/**
 * Stands in for the editor's extension host in the stop-soak test: starts a run through the host
 * API (RunSession, as src/extension/run does), says the training pid on stdout, then waits until
 * it is killed, as an extension host that crashes or is killed during a reload would be.
 *
 *     node --import tsx stop-soak-host.ts <runsDir> <command...>
 */
import path from 'node:path';
import { RunSession } from '../../src/host/run-session';

async function main(): Promise<void> {
  const [runsDir, ...command] = process.argv.slice(2);
  const repo = path.resolve(__dirname, '..', '..');
  const session = await RunSession.start({ command, cwd: repo, env: process.env, runsDir: runsDir as string, runnersDir: path.join(repo, 'dist'), stdio: 'pipe', telemetry: false });
  session.process.stdout?.resume();
  session.process.stderr?.pipe(process.stderr);
  process.stdout.write(`STARTED ${session.process.pid}\n`);
  await session.done;
}

void main();
