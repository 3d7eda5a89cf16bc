/**
 * Telemetry's own CPU cost at 1 Hz, as a share of one core, against systeminformation polled at
 * the same rate. Run: `node --import tsx bench/telemetry.ts` (~45 s).
 *
 * Each figure comes from its own plain Node process (bench/telemetry-probe.ts, bundled here with
 * esbuild), as the shipped extension runs. TrainLens runs with the tests' fake nvidia-smi on PATH,
 * so its in-process figure includes parsing the GPU lines; the fake is a Node script, so its CPU
 * says nothing about real nvidia-smi and is reported apart. systeminformation's children (the
 * shells and programs it execs on every poll) are part of its cost and count in its total.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { INTERVAL_MS, WINDOW_MS, type ProbeMode, type ProbeResult } from './telemetry-probe';

const execFileAsync = promisify(execFile);
const FAKE_NVIDIA_SMI_DIR = path.join(__dirname, '..', 'test', 'fixtures', 'nvidia-smi');

async function runProbe(bundle: string, mode: ProbeMode): Promise<ProbeResult> {
  const env = {
    ...process.env,
    PATH: `${FAKE_NVIDIA_SMI_DIR}${path.delimiter}${process.env.PATH ?? ''}`,
    FAKE_NVIDIA_SMI_SCENARIO: 'multi-gpu',
  };
  const { stdout } = await execFileAsync(process.execPath, [bundle, mode], { env, timeout: 60_000 });
  return JSON.parse(stdout) as ProbeResult;
}

const share = (sec: number | null, wallSec: number): string => (sec === null ? 'n/a' : `${((100 * sec) / wallSec).toFixed(3)}%`);

function row(label: string, r: ProbeResult): string {
  return `  ${label.padEnd(40)} ${share(r.selfSec, r.wallSec).padStart(7)} in-process  ${share(r.childrenSec, r.wallSec).padStart(7)} children`;
}

export async function runTelemetryBench(): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'trainlens-telemetry-bench-'));
  try {
    const bundle = path.join(dir, 'probe.js');
    await build({ entryPoints: [path.join(__dirname, 'telemetry-probe.ts')], outfile: bundle, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error' });
    // One at a time: on a small machine, concurrent probes would measure each other.
    const idle = await runProbe(bundle, 'idle');
    const ours = await runProbe(bundle, 'trainlens');
    const graphics = await runProbe(bundle, 'graphics');
    const full = await runProbe(bundle, 'full');
    const oursShare = ours.selfSec / ours.wallSec;
    const times = (r: ProbeResult): string => `${((r.selfSec + (r.childrenSec ?? 0)) / r.wallSec / oursShare).toFixed(0)}×`;
    return [
      `Telemetry CPU cost at ${1000 / INTERVAL_MS} Hz, ${WINDOW_MS / 1000} s window, share of one core (${cpus().length}× ${cpus()[0]?.model.trim() ?? 'CPU'})`,
      row('idle Node process, same bundle (floor)', idle),
      row('TrainLens: tree of 5, machine, 4 GPUs', ours),
      `    net of the floor: ${share(ours.selfSec / ours.wallSec - idle.selfSec / idle.wallSec, 1)} of one core`,
      `    start-up (hardware facts, spawning nvidia-smi): ${ours.startupSelfMs?.toFixed(0) ?? '?'} ms CPU once; ` +
        `fake nvidia-smi children over the run: ${ours.runChildrenSec?.toFixed(2) ?? 'n/a'} s CPU (Node scripts, not representative)`,
      row('systeminformation graphics()', graphics),
      row('systeminformation graphics+load+mem+procs', full),
      `  systeminformation (in-process + children) / TrainLens in-process: graphics() ${times(graphics)}, full poll ${times(full)}`,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runTelemetryBench().then(
    (lines) => console.log(lines.join('\n')),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
