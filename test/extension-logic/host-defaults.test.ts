/** The editor's sample-rate defaults are the host's: a run from the editor samples like the CLI. */
import assert from 'node:assert/strict';
import { SETTING_DEFAULTS } from '../../src/core/editor-view/settings-defaults';
import { DEFAULT_NODE_SAMPLE_HZ, DEFAULT_PYTHON_SAMPLE_HZ } from '../../src/host/run-session';

describe('settings defaults and the host', () => {
  it('match the host runners\' default sample rates', () => {
    assert.equal(SETTING_DEFAULTS.sampleHz, DEFAULT_PYTHON_SAMPLE_HZ);
    assert.equal(SETTING_DEFAULTS.nodeSampleHz, DEFAULT_NODE_SAMPLE_HZ);
  });
});
