/** The job-level rules: what only shows when ranks are compared. Each rank's own findings come from the ordinary rules. */
import { compareFindings, type Finding } from './findings/finding';
import { communicationBound } from './findings/communication';
import { straggler } from './findings/straggler';
import { unevenBatches } from './findings/straggler-uneven-batches';
import type { RankRecording } from './ranks';

export const JOB_RULES: ReadonlyArray<(ranks: readonly RankRecording[]) => Finding | null> = [straggler, communicationBound, unevenBatches];

export function analyzeJob(ranks: readonly RankRecording[]): Finding[] {
  return JOB_RULES.flatMap((rule) => rule(ranks) ?? []).sort(compareFindings);
}
