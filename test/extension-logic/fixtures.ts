/** Small hand-made inputs for the view-model tests. */
import type { Finding } from '../../src/core/findings/finding';
import type { HotLine } from '../../src/core/summary';

export function hotLine(overrides: Partial<HotLine> = {}): HotLine {
  return {
    file: '/work/project/train.py',
    line: 42,
    share: 0.123,
    samples: 1234,
    ms: null,
    stage: 'data',
    stageShares: { data: 0.8, forward: 0.2 },
    fn: 'train_epoch',
    path: ['torch.utils.data.dataloader:__next__', 'torch.utils.data.dataloader:_next_data'],
    ...overrides,
  };
}

export function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    code: 'input-bound',
    severity: 'high',
    title: 'Input-bound',
    message: 'The data stage takes 62% of each step while the GPU waits.',
    evidence: { dataShare: 0.62 },
    locations: [{ file: '/work/project/train.py', line: 17, why: 'DataLoader built here' }],
    fixes: ['dataloader-workers'],
    impact: 0.62,
    ...overrides,
  };
}
