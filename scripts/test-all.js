#!/usr/bin/env node
// `npm test`: every suite runs, even after another one failed, and one summary at the end says
// which passed, which failed and which were skipped and why; the exit status is non-zero when any
// did not pass. A suite is any `test:<name>` script in package.json, in the order written there:
// adding one there is all it takes to have `npm test` run it.
const { spawnSync } = require('child_process');
const path = require('path');

const REPO = path.join(__dirname, '..');
const SYSTEM_PACKAGES = 'system packages';

/**
 * What each step needs to have passed first. The Python runner's tests need torch but not the
 * bundles; every other suite tests the built bundles (dist/), and may start real PyTorch runs.
 */
const NEEDS = { typecheck: [], build: [], 'test:python': [SYSTEM_PACKAGES] };
const DEFAULT_NEEDS = [SYSTEM_PACKAGES, 'build'];

function steps() {
  const { scripts } = require(path.join(REPO, 'package.json'));
  const suites = Object.keys(scripts).filter((name) => name.startsWith('test:'));
  return [
    // Installs python3-torch and chromium from Debian as root, else prints the apt-get command.
    { name: SYSTEM_PACKAGES, command: [process.execPath, path.join(__dirname, 'system-deps.js')], needs: [] },
    ...['typecheck', 'build', ...suites].map((script) => ({ name: script, command: ['npm', 'run', script], needs: NEEDS[script] ?? DEFAULT_NEEDS })),
  ];
}

function main() {
  const results = [];
  const outcome = new Map();
  let interrupted = false;
  for (const step of steps()) {
    const unmet = step.needs.filter((need) => outcome.get(need) !== 'passed');
    if (interrupted || unmet.length > 0) {
      const why = interrupted ? 'the run was interrupted' : `needs ${unmet.join(', ')}, which did not pass`;
      results.push({ name: step.name, status: 'skipped', why, seconds: 0 });
      outcome.set(step.name, 'skipped');
      continue;
    }
    process.stdout.write(`\n── ${step.name}: ${step.command.join(' ')}\n`);
    const started = Date.now();
    // The e2e suite builds again unless told that the build just ran (test/e2e/setup.ts).
    const env = outcome.get('build') === 'passed' ? { ...process.env, TRAINLENS_E2E_NO_BUILD: '1' } : process.env;
    const run = spawnSync(step.command[0], step.command.slice(1), { cwd: REPO, stdio: 'inherit', env });
    const seconds = (Date.now() - started) / 1000;
    const passed = run.status === 0;
    interrupted = run.signal === 'SIGINT' || run.status === 130;
    const why = passed ? '' : run.error ? run.error.message : run.signal ? `killed by ${run.signal}` : `exit status ${run.status}`;
    results.push({ name: step.name, status: passed ? 'passed' : 'failed', why, seconds });
    outcome.set(step.name, passed ? 'passed' : 'failed');
  }
  printSummary(results);
  process.exitCode = results.every((r) => r.status === 'passed') ? 0 : 1;
}

function printSummary(results) {
  const width = Math.max(...results.map((r) => r.name.length));
  const count = (status) => results.filter((r) => r.status === status).length;
  process.stdout.write('\n── npm test summary\n');
  for (const r of results) {
    const time = r.status === 'skipped' ? '' : `${r.seconds.toFixed(1).padStart(7)} s`;
    process.stdout.write(`  ${r.status.padEnd(8)} ${r.name.padEnd(width)} ${time.padEnd(9)} ${r.why}\n`.trimEnd() + '\n');
  }
  process.stdout.write(`  ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped\n`);
}

main();
