/**
 * Heat on hot lines, as data: which of a fixed set of buckets a line falls in, the text at its end
 * (`12.3% · data`), and its hover. The extension owns one decoration type per bucket, never one per line.
 */
import { formatMs, STAGE_LABELS } from '../format';
import type { HotLine } from '../summary';
import type { SampleStage } from '../../protocol/events';
import { escapeMarkdown, inlineCode, table } from './markdown';

/** Lower bounds of each bucket, as a share of the run's sampled time (start-up left out once the
 * run has steps, see line-profile.ts); below the first, no heat. */
export const HEAT_THRESHOLDS = [0.01, 0.05, 0.15, 0.3] as const;
export type HeatBucket = 0 | 1 | 2 | 3;

/** Colour ids contributed in package.json (`contributes.colors`), one background per bucket. */
export const HEAT_BACKGROUND_COLORS = ['trainlens.heat1Background', 'trainlens.heat2Background', 'trainlens.heat3Background', 'trainlens.heat4Background'] as const;
export const HEAT_RULER_COLOR = 'trainlens.heatOverviewRuler';
export const INLINE_FOREGROUND_COLOR = 'trainlens.inlineForeground';

/** Hot lines asked of the line profile per update; the rest are below the first bucket anyway. */
export const HOT_LINES_SHOWN = 50;
/** Frames of a call path shown in a hover before eliding the middle. */
const PATH_FRAMES_SHOWN = 8;

export function heatBucket(share: number): HeatBucket | undefined {
  let bucket: HeatBucket | undefined;
  HEAT_THRESHOLDS.forEach((threshold, i) => {
    if (share >= threshold) bucket = i as HeatBucket;
  });
  return bucket;
}

export interface LineAnnotation {
  /** 0-based, as editors count. */
  line0: number;
  bucket: HeatBucket;
  inlineText: string;
  hotLine: HotLine;
}

/**
 * `12.3% of run time · data`: the line's share of the run's sampled time (start-up apart once steps
 * began, line-profile.ts), and the stage most of it fell in; not a share of that stage.
 */
export function inlineText(line: Pick<HotLine, 'share' | 'stage'>): string {
  return `${(line.share * 100).toFixed(1)}% of run time · ${STAGE_LABELS[line.stage]}`;
}

/** Annotations per absolute file path, lines above the first heat threshold only. */
export function annotationsByFile(hotLines: readonly HotLine[]): Map<string, LineAnnotation[]> {
  const byFile = new Map<string, LineAnnotation[]>();
  for (const hotLine of hotLines) {
    const bucket = heatBucket(hotLine.share);
    if (bucket === undefined || hotLine.line < 1) continue;
    const list = byFile.get(hotLine.file) ?? [];
    list.push({ line0: hotLine.line - 1, bucket, inlineText: inlineText(hotLine), hotLine });
    byFile.set(hotLine.file, list);
  }
  return byFile;
}

export function hoverMarkdown(line: HotLine): string {
  const where = line.fn ? ` · in ${inlineCode(line.fn)}` : '';
  const samples = `${line.samples.toLocaleString('en-US')} samples`;
  // Samples that carry their wall time (the Python signal sampler) give shares of wall time.
  const amount = line.ms !== null ? `of wall time · ${formatMs(line.ms)} · ${samples}` : `of sampled time · ${samples}`;
  const blocks = [`**TrainLens** · ${(line.share * 100).toFixed(1)}% ${amount}${where}`];
  const stages = (Object.entries(line.stageShares) as Array<[SampleStage, number]>).sort((a, b) => b[1] - a[1]);
  if (stages.length > 0) {
    blocks.push(table(['Stage', 'Share of this line'], stages.map(([stage, share]): [string, string] => [STAGE_LABELS[stage], `${(share * 100).toFixed(1)}%`])));
  }
  if (line.path.length > 0) blocks.push(`Call path below this line (most frequent):\n\n${callPath(line.path)}`);
  return blocks.join('\n\n');
}

/** Outermost first; a deep path keeps its two ends, where the user's call and the real work are. */
function callPath(path: readonly string[]): string {
  if (path.length <= PATH_FRAMES_SHOWN) return path.map(inlineCode).join(' → ');
  const head = path.slice(0, PATH_FRAMES_SHOWN / 2).map(inlineCode);
  const tail = path.slice(-PATH_FRAMES_SHOWN / 2).map(inlineCode);
  return [...head, escapeMarkdown(`… ${path.length - PATH_FRAMES_SHOWN} more …`), ...tail].join(' → ');
}
