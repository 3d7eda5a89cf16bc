/**
 * `trainlens compare <run-a> <run-b> [--noise <run>]… [--json]`: run B against run A (before and
 * after a change). `--noise` names repeated runs of A's command; with them the noise band is
 * measured instead of assumed.
 */
import { parseArgs } from 'node:util';
import { compareRuns, type RunComparison } from '../core/compare';
import { formatRate, formatShare, STAGE_LABELS } from '../core/format';
import { loadSummary, resolveRunDir } from '../host/recording/recording-reader';
import { CliUsageError, type CliIo } from './io';

/** Exit codes: 0 compared (whatever the verdict), 1 not comparable, 2 usage. */
export async function runCompareCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, noise: { type: 'string', multiple: true } },
    allowPositionals: true,
  });
  const [a, b] = positionals;
  if (!a || !b || positionals.length > 2) throw new CliUsageError('compare takes two runs: the one before the change, then the one after');
  const before = loadSummary(resolveRunDir(a, io.cwd));
  const after = loadSummary(resolveRunDir(b, io.cwd));
  const repeats = (values.noise ?? []).map((run) => loadSummary(resolveRunDir(run, io.cwd)).throughput.batchesPerSec);
  // Run A is itself one sample of its command's noise.
  const samples = [before.throughput.batchesPerSec, ...repeats].filter((bps): bps is number => bps !== null);
  const comparison = compareRuns(before, after, repeats.length > 0 ? { batchesPerSec: samples } : undefined);
  io.stdout.write(values.json ? JSON.stringify(comparison, null, 2) + '\n' : formatComparison(comparison, before.id, after.id));
  return comparison.verdict === 'not-comparable' ? 1 : 0;
}

function formatComparison(c: RunComparison, beforeId: string, afterId: string): string {
  const row = (label: string, before: string, after: string): string => `  ${label.padEnd(18)}${before.padStart(8)}  ${after.padStart(8)}`;
  const lines = [c.sentence, '', `  before: ${beforeId}`, `  after:  ${afterId}`, '', row('', 'before', 'after')];
  lines.push(row('batches/s', formatRate(c.batchesPerSecBefore), formatRate(c.batchesPerSecAfter)));
  for (const s of c.stageShares) lines.push(row(`${STAGE_LABELS[s.stage]} share`, formatShare(s.before), formatShare(s.after)));
  const band = c.noiseRuns > 0 ? `±${c.noiseBandPct.toFixed(1)}% (from ${c.noiseRuns} runs)` : `±${c.noiseBandPct}% (assumed; pass --noise <run> for repeats)`;
  lines.push('', `  noise band: ${band}`);
  for (const caveat of c.caveats) lines.push(`  note: ${caveat}`);
  return lines.join('\n') + '\n';
}
