/**
 * The stop path, soaked: start/stop cycles of a script with 4 DataLoader workers, stopped at
 * seeded random moments (before the first step, during worker start-up, mid-step, during exit)
 * through the CLI and the host API; after each, no process of the tree is left, the recording reads
 * back and says `stopped`. `npm run bench -- reliability` runs 100 cycles of the same.
 */
import assert from 'node:assert/strict';
import { tempDir } from './cli-harness';
import { describeOutcome, runCycle, seededRandom, STOP_MOMENTS, writeSoakScript, type StopPath } from './stop-soak-cycles';

const SEED = Number(process.env.TRAINLENS_SOAK_SEED ?? 17);

describe('stop soak: start/stop cycles with 4 DataLoader workers', function () {
  this.timeout(240_000);
  const script = writeSoakScript(tempDir('trainlens-soak-script-'));

  for (const path of ['cli', 'host-api'] as StopPath[]) {
    it(`${path}: one cycle per moment, nothing left, recording readable and stopped`, async () => {
      const random = seededRandom(SEED + (path === 'cli' ? 0 : 1));
      for (const moment of STOP_MOMENTS) {
        const outcome = await runCycle(path, moment, random, script);
        assert.deepEqual(outcome.leftovers, [], describeOutcome(outcome));
        assert.equal(outcome.unreadable, null, describeOutcome(outcome));
        assert.equal(outcome.status, 'stopped', describeOutcome(outcome));
      }
    });
  }
});
