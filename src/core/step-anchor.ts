/**
 * What delimits a training step, as the summary reports it: the runner's last `anchor` event, or,
 * for recordings made before runners sent one, what the runner of that time anchored on. When no
 * anchor was seen there is no honest throughput, and every front end says so in the same words.
 */
import type { AnchorEvent, FrameworkName, StepAnchor } from '../protocol/events';

export interface StepAnchorSummary {
  anchor: StepAnchor;
  /** Plain words on what was seen, e.g. "2 optimizers per step", or why no step was recognised. */
  detail: string | null;
  /** True when no anchor event was recorded and the anchor was worked out from the other events. */
  inferred: boolean;
}

export interface AnchorFacts {
  /** The runner's last anchor event, if any. */
  event: AnchorEvent | undefined;
  framework: FrameworkName | null;
  steps: number;
  /** A DataLoader (or other pipeline) was reported built. */
  loaderSeen: boolean;
}

/** What ends a step, in words: "Steps end at the optimizer step". */
const ANCHOR_WORDS: Readonly<Record<StepAnchor, string>> = {
  dataloader: 'the next DataLoader batch',
  optimizer: 'the optimizer step',
  backward: 'backward()',
  framework: "the framework's batch",
  none: 'nothing recognised',
};

/** "Steps end at the optimizer step (2 optimizers per step)"; marked when inferred from an older recording. */
export function anchorSentence(anchor: StepAnchorSummary): string {
  // A runner's detail may already say what ends a step ("steps end at backward(); …"): say it once.
  if (anchor.detail && /^steps (end|start) at /i.test(anchor.detail)) return anchor.detail.charAt(0).toUpperCase() + anchor.detail.slice(1);
  const detail = anchor.detail ? ` (${anchor.detail})` : anchor.inferred ? ' (inferred: the recording predates step anchors)' : '';
  return `Steps end at ${ANCHOR_WORDS[anchor.anchor]}${detail}`;
}

export function resolveStepAnchor(facts: AnchorFacts): StepAnchorSummary {
  const { event } = facts;
  if (event) {
    const detail = event.detail ?? null;
    return { anchor: event.anchor, detail: event.anchor === 'none' ? (detail ?? noAnchorWhy(facts.framework)) : detail, inferred: false };
  }
  if (facts.steps === 0) return { anchor: 'none', detail: noAnchorWhy(facts.framework), inferred: true };
  // Before anchor events, tfjs counted fit/fitDataset batches, and the Python runner ended a step at
  // each DataLoader batch when it saw a DataLoader, else at each optimizer step.
  if (facts.framework === 'tfjs') return { anchor: 'framework', detail: null, inferred: true };
  return { anchor: facts.loaderSeen ? 'dataloader' : 'optimizer', detail: null, inferred: true };
}

function noAnchorWhy(framework: FrameworkName | null): string {
  if (framework === 'pytorch') return 'no DataLoader batch, optimizer step or backward() was seen';
  if (framework === 'tfjs') return 'no fit() or fitDataset() batch was seen';
  return 'no PyTorch or TensorFlow.js training was seen';
}

/** True when the run's steps were not recognised: figures per step would be made up. */
export function stepsUnrecognised(anchor: Pick<StepAnchorSummary, 'anchor'> | null | undefined): boolean {
  return anchor?.anchor === 'none';
}

/** The one sentence the status bar, the panel and the CLI report show for such a run. */
export function stepsNotRecognisedText(anchor: Pick<StepAnchorSummary, 'detail'>): string {
  // A runner's detail may end with the same conclusion: say it once.
  const why = (anchor.detail ?? 'no step anchor was seen').replace(/\s*[:;,—–-]?\s*showing time by line only\.?$/i, '');
  return `steps not recognised: ${why} — showing time by line only`;
}
