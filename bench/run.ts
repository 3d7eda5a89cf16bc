/**
 * `npm run bench`: every speed and memory target, measured side by side in one run on this
 * machine. Each section prints its own figures and target; nothing here asserts, since timings
 * belong in benchmarks, not in tests. TRAINLENS_BENCH_PAIRS sets the number of alternating pairs.
 */
import os from 'node:os';
import { runAggregatorMemoryBench } from './aggregator-memory';
import { runExtensionBench } from './extension';
import { runFixSpeedupBench } from './fix-speedup';
import { runNodeInstructionsBench, runNodeRunnerBench } from './node-runner';
import { runPythonInRunBench, runPythonInstructionsBench, runPythonRunnerBench } from './python-runner';
import { runReliabilityBench } from './reliability';
import { runTelemetryBench } from './telemetry';
import { runVsixBench } from './vsix';

interface Section {
  name: string;
  run: () => Promise<string[]>;
}

const SECTIONS: Section[] = [
  { name: 'python-runner', run: runPythonRunnerBench },
  { name: 'python-in-run', run: runPythonInRunBench },
  { name: 'python-instructions', run: runPythonInstructionsBench },
  { name: 'node-runner', run: runNodeRunnerBench },
  { name: 'node-instructions', run: runNodeInstructionsBench },
  { name: 'telemetry', run: runTelemetryBench },
  { name: 'extension', run: runExtensionBench },
  { name: 'vsix', run: runVsixBench },
  { name: 'fix-speedup', run: runFixSpeedupBench },
  { name: 'aggregator', run: runAggregatorMemoryBench },
  { name: 'reliability', run: runReliabilityBench },
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  console.log(`TrainLens benchmarks · ${os.availableParallelism()}× ${os.cpus()[0]?.model.trim() ?? 'CPU'} · Node ${process.version} · ${new Date().toISOString()}`);
  let failed = 0;
  for (const section of SECTIONS.filter((s) => only.length === 0 || only.includes(s.name))) {
    const started = Date.now();
    try {
      const lines = await section.run();
      console.log(`\n${lines.join('\n')}\n  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    } catch (error) {
      failed++;
      console.log(`\n${section.name}: FAILED: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  process.exitCode = failed > 0 ? 1 : 0;
}

void main();
