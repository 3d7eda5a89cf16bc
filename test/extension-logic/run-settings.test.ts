import assert from 'node:assert/strict';
import { effectiveValue, runSettings } from '../../src/core/editor-view/run-settings';
import { SETTING_DEFAULTS, type SettingKey } from '../../src/core/editor-view/settings-defaults';

describe('run settings', () => {
  const inspected = { defaultValue: '', globalValue: '/usr/bin/python3.11', workspaceValue: './evil/python', workspaceFolderValue: undefined };

  it('ignores workspace values of restricted settings in an untrusted workspace', () => {
    assert.equal(effectiveValue('pythonPath', inspected, false), '/usr/bin/python3.11');
    assert.equal(effectiveValue('pythonPath', { ...inspected, globalValue: undefined }, false), '');
    assert.deepEqual(effectiveValue('env', { workspaceValue: { LD_PRELOAD: 'x.so' } }, false), {});
  });

  it('takes the most specific value when trusted, and for unrestricted settings always', () => {
    assert.equal(effectiveValue('pythonPath', inspected, true), './evil/python');
    assert.equal(effectiveValue('pythonPath', { ...inspected, workspaceFolderValue: 'folder' }, true), 'folder');
    assert.equal(effectiveValue('sampleHz', { defaultValue: 100, workspaceValue: 250 }, false), 250);
    assert.equal(effectiveValue('sampleHz', undefined, true), SETTING_DEFAULTS.sampleHz);
  });

  it('keeps valid values and replaces bad ones by defaults, saying why', () => {
    const values: Partial<Record<SettingKey, unknown>> = {
      sampleHz: 5000,
      nodeSampleHz: 500,
      args: ['--epochs', 1],
      env: { CUDA_VISIBLE_DEVICES: '0', BAD: 3 },
      pythonPath: ' /opt/py/bin/python ',
      nvidiaSmiPath: null,
      cwd: 'fileDirectory',
    };
    const settings = runSettings((key) => values[key]);
    assert.equal(settings.sampleHz, SETTING_DEFAULTS.sampleHz);
    assert.equal(settings.nodeSampleHz, 500);
    assert.deepEqual(settings.args, []);
    assert.deepEqual(settings.env, { CUDA_VISIBLE_DEVICES: '0' });
    assert.equal(settings.pythonPath, '/opt/py/bin/python');
    assert.equal(settings.nvidiaSmiPath, '');
    assert.equal(settings.cwd, 'fileDirectory');
    assert.equal(settings.problems.length, 4);
    assert.match(settings.problems.join('\n'), /trainlens\.sampleHz: must be a number from 1 to 1000/);
    assert.match(settings.problems.join('\n'), /"BAD" is not a string/);
  });

  it('reads the defaults cleanly', () => {
    const settings = runSettings((key) => SETTING_DEFAULTS[key]);
    assert.deepEqual(settings.problems, []);
    assert.deepEqual(settings.args, []);
  });
});
