/** The editor's sample-rate defaults are the host's: a run from the editor samples like the CLI. */
import assert from 'node:assert/strict';
import { SETTING_DEFAULTS } from '../../src/core/editor-view/settings-defaults';
import { DEFAULT_NODE_SAMPLE_HZ, DEFAULT_PYTHON_SAMPLE_HZ, longRunSampleHz } from '../../src/host/run-session';

describe('settings defaults and the host', () => {
  it('match the host runners\' default sample rates', () => {
    assert.equal(SETTING_DEFAULTS.sampleHz, DEFAULT_PYTHON_SAMPLE_HZ);
    assert.equal(SETTING_DEFAULTS.nodeSampleHz, DEFAULT_NODE_SAMPLE_HZ);
  });

  it('a long run samples at a fifth of the rate, at 10 Hz at the least, and never faster than the rate', () => {
    assert.deepEqual([50, 1000, 20, 10, 5, 1].map(longRunSampleHz), [10, 200, 10, 10, 5, 1]);
  });
});
