import assert from 'node:assert/strict';
import { analyzeRun } from '../../src/core/findings';
import { loadFacts } from './facts-fixture';

// False positives are bugs: on a well-tuned run only the informational compute-bound may appear.
describe('findings: well-tuned runs', () => {
  for (const name of ['well-tuned-cuda', 'well-tuned-cpu']) {
    it(`${name}: nothing actionable`, () => {
      const findings = analyzeRun(loadFacts(name));
      assert.deepEqual(findings.map((f) => `${f.code}/${f.severity}`), ['compute-bound/info']);
    });
  }
});
