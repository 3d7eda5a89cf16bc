#!/usr/bin/env node
// `npm test`: every suite runs, even after another one failed, and one summary at the end says
// which passed, which failed and which were skipped and why; the exit status is non-zero when any
// did not pass. A suite is any `test:<name>` script in package.json, in the order written there:
// adding one there is all it takes to have `npm test` run it. Each failed suite's own failure report
// (mocha's "N failing" list, unittest's FAIL/ERROR blocks) is printed again under the summary: a CI
// log that keeps only its last pages still says which test failed and why.
const { spawn } = require('child_process');
const { StringDecoder } = require('string_decoder');
const path = require('path');

const REPO = path.join(__dirname, '..');
const SYSTEM_PACKAGES = 'system packages';
// The most of a suite's output kept for its failure report; a report is at most REPORT_LINES lines.
const KEPT_OUTPUT_CHARS = 1 << 20;
const REPORT_LINES = 150;

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

async function main() {
  // Ctrl+C reaches the suite in the terminal's process group too: let it end as it ends on SIGINT,
  // and say so in the summary, rather than leave it running unreported.
  process.on('SIGINT', () => {});
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
    const env = outcome.get('build') === 'passed' ? { ...process.env, TRAINLENS_E2E_NO_BUILD: '1' } : { ...process.env };
    // Piped, the suites would print without colours where a terminal shows them.
    if (process.stdout.isTTY) env.FORCE_COLOR = '1';
    const run = await runTee(step.command, env);
    const seconds = (Date.now() - started) / 1000;
    const passed = run.status === 0;
    interrupted = run.signal === 'SIGINT' || run.status === 130;
    const why = passed ? '' : run.error ? run.error.message : run.signal ? `killed by ${run.signal}` : `exit status ${run.status}`;
    results.push({ name: step.name, status: passed ? 'passed' : 'failed', why, seconds, report: passed ? '' : failureReport(run.output) });
    outcome.set(step.name, passed ? 'passed' : 'failed');
  }
  printSummary(results);
  printFailureReports(results);
  process.exitCode = results.every((r) => r.status === 'passed') ? 0 : 1;
}

/** Runs a step with its output passed through as it comes, and keeps the last of it. */
function runTee([command, ...args], env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: REPO, env, stdio: ['inherit', 'pipe', 'pipe'] });
    let output = '';
    // One decoder per stream, so a character split between two chunks is kept whole.
    const keeper = () => {
      const decoder = new StringDecoder('utf8');
      return (chunk) => {
        output += decoder.write(chunk);
        if (output.length > 2 * KEPT_OUTPUT_CHARS) output = output.slice(-KEPT_OUTPUT_CHARS);
      };
    };
    const [keepOut, keepErr] = [keeper(), keeper()];
    child.stdout.on('data', (chunk) => (process.stdout.write(chunk), keepOut(chunk)));
    child.stderr.on('data', (chunk) => (process.stderr.write(chunk), keepErr(chunk)));
    let error;
    child.on('error', (e) => (error = e));
    child.on('close', (status, signal) => resolve({ status, signal, error, output }));
  });
}

/**
 * The part of a failed suite's output that says what failed: from mocha's last "N failing" line,
 * or from unittest's first FAIL/ERROR block, to the end; else the output's last lines.
 */
function failureReport(output) {
  const lines = output.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  let from = lines.findLastIndex((line) => /^\s*\d+ failing\s*$/.test(line));
  if (from < 0) from = lines.findIndex((line, i) => /^={20,}$/.test(line) && /^(FAIL|ERROR): /.test(lines[i + 1] ?? ''));
  if (from < 0) from = Math.max(0, lines.length - 40);
  const report = lines.slice(from);
  const cut = report.length - REPORT_LINES;
  return (cut > 0 ? [...report.slice(0, REPORT_LINES), `… and ${cut} more lines: the suite's own output above has them`] : report).join('\n').trimEnd();
}

function printFailureReports(results) {
  for (const r of results.filter((result) => result.report)) {
    process.stdout.write(`\n── what failed in ${r.name}\n${r.report}\n`);
  }
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

if (require.main === module) {
  main();
}

module.exports = { failureReport };
