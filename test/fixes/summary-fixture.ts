/** RunSummary values for compare and CLI tests: a real empty summary with the fields a test sets. */
import { RunAggregator } from '../../src/core/aggregator';
import type { RunSummary } from '../../src/core/summary';

export function summaryWith(fields: Partial<RunSummary> & { batchesPerSec?: number | null }): RunSummary {
  const { batchesPerSec = null, ...rest } = fields;
  const base = new RunAggregator().summary('/recordings/run');
  return {
    ...base,
    status: 'completed',
    command: ['python', 'train.py'],
    steps: 200,
    device: 'cpu',
    ...rest,
    throughput: { ...base.throughput, batchesPerSec },
  };
}
