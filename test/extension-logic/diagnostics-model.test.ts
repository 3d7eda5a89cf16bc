import assert from 'node:assert/strict';
import { diagnosticsFromFindings } from '../../src/core/editor-view/diagnostics-model';
import { finding } from './fixtures';

describe('findings as diagnostics', () => {
  it('puts each finding at its locations with its code, a severity and the measured message', () => {
    const byFile = diagnosticsFromFindings([finding()], '/work/project/train.py');
    const [diagnostic] = byFile.get('/work/project/train.py') ?? [];
    assert.deepEqual(diagnostic, {
      file: '/work/project/train.py',
      line0: 16,
      severity: 'warning',
      message: 'High · Input-bound: The data stage takes 62% of each step while the GPU waits. (DataLoader built here)',
      code: 'input-bound',
      related: [],
    });
  });

  it('links a finding\'s other locations, and maps severities below high to quieter ones', () => {
    const twoPlaces = finding({ severity: 'moderate', locations: [{ file: '/a.py', line: 1 }, { file: '/b.py', line: 5, why: 'hot loop' }] });
    const byFile = diagnosticsFromFindings([twoPlaces, finding({ code: 'tip', severity: 'info', locations: [{ file: '/a.py', line: 2 }] })], null);
    assert.deepEqual(byFile.get('/a.py')?.map((d) => [d.code, d.severity]), [['input-bound', 'information'], ['tip', 'hint']]);
    assert.deepEqual(byFile.get('/a.py')?.[0]?.related, [{ file: '/b.py', line0: 4, message: 'hot loop' }]);
  });

  it('puts a finding without a location on the script, or nowhere without one', () => {
    const gpu = finding({ code: 'gpu-idle', locations: [] });
    assert.equal(diagnosticsFromFindings([gpu], '/work/train.py').get('/work/train.py')?.[0]?.line0, 0);
    assert.equal(diagnosticsFromFindings([gpu], null).size, 0);
  });

  it('does not repeat a finding at the same place', () => {
    const twice = finding({ locations: [{ file: '/a.py', line: 3 }, { file: '/a.py', line: 3 }] });
    assert.equal(diagnosticsFromFindings([twice], null).get('/a.py')?.length, 1);
  });
});
