/** The readable end-of-run report (also `trainlens report`). Plain text lines, no colours. */
import { formatBytes, formatMs, formatPct, formatRate, formatShare, STAGE_LABELS, stagedStepsText } from '../core/format';
import { SEVERITY_WORDS } from '../core/findings/finding';
import { formatFindings } from '../core/findings/format';
import { peakTflops } from '../core/hardware-check';
import { optimizerClass } from '../core/findings/optimizers';
import { rankTableLines } from '../core/ranks-table';
import { anchorSentence, stepsNotRecognisedText, stepsUnrecognised } from '../core/step-anchor';
import { startupDetail } from '../core/startup';
import { displayPath } from '../core/view/view-tables';
import type { RunSummary } from '../core/summary';
import { STAGE_NAMES } from '../protocol/events';

const HOT_LINES_SHOWN = 10;

export function formatReport(summary: RunSummary): string[] {
  const out: string[] = [];
  const framework = summary.framework
    ? `${summary.framework} ${summary.frameworkVersion ?? ''}${summary.frameworkPackage ? ` (${summary.frameworkPackage})` : ''} on ${summary.device ?? '?'}`
    : 'no framework seen';
  const exit = summary.signal ? `signal ${summary.signal}` : `exit ${summary.exitCode ?? '–'}`;
  out.push(`TrainLens · ${summary.status} · ${exit} · ${framework} · ${formatMs(summary.durationMs)}`);
  if (summary.error) {
    const where = summary.error.file ? ` at ${summary.error.file}:${summary.error.line ?? '?'}` : '';
    out.push(`Error       ${summary.error.excType}: ${summary.error.message}${where}`);
  }
  out.push(...throughputLines(summary), ...rankLines(summary), ...evalLines(summary), ...startupLines(summary), ...ceilingLines(summary), ...stageLines(summary), ...hotLineLines(summary), ...resourceLines(summary));
  const findings = formatFindings(summary.findings);
  if (findings.length > 0) out.push('', 'Findings', ...findings.map((l) => `  ${l}`));
  if (summary.notes.length > 0) out.push('', ...summary.notes.map((n) => `Note: ${n}`));
  const dropped = Object.entries(summary.dropped);
  if (dropped.length > 0) out.push(`Dropped runner lines: ${dropped.map(([reason, n]) => `${n} ${reason}`).join(', ')}`);
  out.push('', `Recording   ${summary.recording}`);
  return out;
}

function throughputLines(summary: RunSummary): string[] {
  if (stepsUnrecognised(summary.stepAnchor)) return [`Steps       ${stepsNotRecognisedText(summary.stepAnchor)}`];
  if (summary.steps === 0) return [];
  const t = summary.throughput;
  const samples = t.samplesPerSec !== null ? ` · ${formatRate(t.samplesPerSec)} samples/s` : '';
  const tokens = t.tokensPerSec !== null ? ` · ${formatRate(t.tokensPerSec)} tokens/s` : '';
  const warm = summary.warmupSteps > 0 ? `, first ${summary.warmupSteps} left out as warm-up` : '';
  const optimizers = summary.optimizers.map((o) => `${optimizerClass(o)}${o.closure ? ' with a closure' : ''}${o.file ? ` at ${displayPath(o.file, summary.cwd)}:${o.line ?? '?'}` : ''}`);
  return [
    `Throughput  ${formatRate(t.batchesPerSec)} batches/s${samples}${tokens}`,
    `            ${summary.steps} steps${warm}; step median ${formatMs(t.stepMsMedian)}, p95 ${formatMs(t.stepMsP95)}`,
    `            ${anchorSentence(summary.stepAnchor)}${optimizers.length > 0 ? `; optimizers: ${optimizers.join(', ')}` : ''}`,
  ];
}

/** A distributed job: the job's throughput above is the slowest rank's steps/s, samples/s summed. */
function rankLines(summary: RunSummary): string[] {
  const table = rankTableLines(summary);
  if (table.length === 0) return [];
  return ['', `Ranks       ${table.length - 1} recorded; stages and hot lines below are rank ${summary.ranks?.[0]?.rank ?? 0}'s`, ...table.map((l) => `  ${l}`)];
}

function evalLines(summary: RunSummary): string[] {
  const e = summary.eval;
  if (!e) return [];
  return [`Eval        ${e.passes} ${e.passes === 1 ? 'pass' : 'passes'}, ${e.batches} batches, ${formatMs(e.ms)} (kept out of the step figures)`];
}

function startupLines(summary: RunSummary): string[] {
  // Absent from summaries written before start-up was its own phase.
  return summary.startup ? [`Start-up    ${startupDetail(summary.startup, summary.cwd)} (kept out of the hot lines)`] : [];
}

function ceilingLines(summary: RunSummary): string[] {
  const c = summary.ceilings;
  if (!c) return [];
  const line =
    `Ceilings    actual ${formatRate(c.actualBatchesPerSec)} batches/s · data-only ${formatRate(c.dataOnlyBatchesPerSec)}` +
    ` · compute-only ${formatRate(c.computeOnlyBatchesPerSec)} · ceiling ${formatRate(c.ceilingBatchesPerSec)}` +
    (c.gap !== null ? ` · gap ${formatShare(c.gap)}` : '');
  return c.note ? [line, `            (${c.note})`] : [line];
}

function stageLines(summary: RunSummary): string[] {
  const rows = STAGE_NAMES.flatMap((name) => {
    const stage = summary.stages[name];
    return stage ? [`  ${STAGE_LABELS[name].padEnd(17)} ${formatMs(stage.ms).padStart(9)} ${formatShare(stage.share).padStart(5)}`] : [];
  });
  if (rows.length === 0) return [];
  const merged = summary.separatedStages.includes('forwardBackward')
    ? ['  (this framework runs forward and backward in one call: they are measured together)']
    : [];
  const staged = stagedStepsText(summary.stagedSteps, Math.max(0, summary.steps - summary.warmupSteps));
  return ['', `Stages      per step (steady state${staged ? `; ${staged}` : ''})`, ...rows, ...merged];
}

function hotLineLines(summary: RunSummary): string[] {
  if (summary.hotLines.length === 0) return [];
  const rows = summary.hotLines.slice(0, HOT_LINES_SHOWN).map((h, i) => {
    const where = `${displayPath(h.file, summary.cwd)}:${h.line}`;
    const via = h.path.length > 0 ? `  → ${h.path[h.path.length - 1]}` : '';
    return `  ${String(i + 1).padStart(2)}. ${formatShare(h.share).padStart(5)}  ${STAGE_LABELS[h.stage].padEnd(16)} ${where}${h.fn ? ` (${h.fn})` : ''}${via}`;
  });
  // As the panel says it: line shares are of the sampled time with start-up set apart, not of step time.
  const after = summary.startup ? ' after start-up' : '';
  const of = summary.hotLines.some((h) => h.ms !== null) ? `sampled wall time${after} (${summary.lineSamples} samples)` : `${summary.lineSamples} samples${after}`;
  return ['', `Hot lines   share of ${of}`, ...rows];
}

function resourceLines(summary: RunSummary): string[] {
  const t = summary.telemetry;
  if (!t) return [];
  const out = [
    '',
    `CPU         process tree ${formatPct(t.cpuPctMean)} of one core (mean), peak RSS ${formatBytes(t.rssPeakBytes)}; machine ${formatPct(t.systemCpuPctMean)}`,
  ];
  out.push(...hardwareLines(summary));
  if (t.gpuUtilPctMean !== null) {
    out.push(
      `GPU         util ${formatPct(t.gpuUtilPctMean)} mean, ${formatPct(t.gpuUtilPctP95)} p95; memory peak ${t.gpuMemPeakMiB ?? '–'} of ${t.gpuMemTotalMiB ?? '–'} MiB` +
        (t.ownGpuMemPeakMiB !== null ? ` (this run: ${t.ownGpuMemPeakMiB} MiB)` : ''),
    );
  }
  return out;
}

function hardwareLines(summary: RunSummary): string[] {
  const hw = summary.hardware;
  if (!hw) return [];
  const cpu = `${hw.cpu.model ?? 'CPU'}, ${hw.cpu.logicalCores ?? '?'} cores, ${formatBytes(hw.memTotalBytes)} RAM`;
  // Identical cards are one entry ("4× NVIDIA A100…"): a node usually has one model.
  const kinds = new Map<string, number>();
  for (const g of hw.gpus) {
    const peak = peakTflops(g.name);
    const kind = `${g.name}${g.memTotalMiB !== null ? ` ${g.memTotalMiB} MiB` : ''}${peak !== null ? ` (peak ${peak} TFLOP/s fp16/bf16 dense)` : ''}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const gpus = [...kinds].map(([kind, count]) => `${count}× ${kind}`);
  const nvlink = hw.gpus.length > 1 && hw.nvlink !== null ? [`NVLink ${hw.nvlink ? 'present' : 'absent'}`] : [];
  const issues = summary.hardwareCheck.map((i) => `            ${SEVERITY_WORDS[i.severity].padEnd(8)} ${i.message}`);
  return [`Machine     ${[cpu, ...gpus, ...nvlink].join(' · ')}`, ...issues];
}
