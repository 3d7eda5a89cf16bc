/** Runs the built CLI (dist/cli.js) on real scripts, as a user or CI would. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunSummary } from '../../src/core/summary';
import { allProcesses } from '../processes';
import { scriptResultOf } from '../script-result';

export const REPO = path.resolve(__dirname, '..', '..');
export const CLI = path.join(REPO, 'dist', 'cli.js');
/** Debian's interpreter, the one with PyTorch (the `python3` on PATH may lack it). */
export const TORCH_PYTHON = '/usr/bin/python3';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  summary: RunSummary | undefined;
}

export function tempDir(prefix = 'trainlens-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, summary: parseSummary(result.stdout) };
}

/** `record --json` on a script; returns the summary and the script's own SCRIPT_RESULT line. */
export function record(script: string, scriptArgs: string[] = [], options: { python?: string; out?: string; extra?: string[] } = {}) {
  const out = options.out ?? tempDir();
  const command = script.endsWith('.py') ? [options.python ?? TORCH_PYTHON, script] : ['node', script];
  const result = runCli(['record', '--json', '--out', out, ...(options.extra ?? []), '--', ...command, ...scriptArgs]);
  return { ...result, out, scriptResult: scriptResultOf(result.stderr + result.stdout) };
}

export function startCli(args: string[], cwd = REPO): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The summary `record --json` printed last on stdout, after anything the script printed there. */
export function parseSummary(stdout: string): RunSummary | undefined {
  // The summary is the last JSON document, starting with its format key.
  const start = stdout.lastIndexOf('{\n  "summaryFormat"');
  if (start === -1) return undefined;
  try {
    return JSON.parse(stdout.slice(start)) as RunSummary;
  } catch {
    return undefined;
  }
}

export function example(...parts: string[]): string {
  return path.join(REPO, 'examples', ...parts);
}

/** Pids of live processes (not zombies) whose command line mentions `needle`. */
export function processesMentioning(needle: string): number[] {
  return allProcesses()
    .filter((p) => p.cmdline.includes(needle) && p.state !== 'Z')
    .map((p) => p.pid);
}

export async function waitFor(condition: () => boolean, timeoutMs: number, pollMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return condition();
}
