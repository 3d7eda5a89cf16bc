/**
 * TrainLens in a real VS Code: commands, a run from the editor, Stop, and a recording's findings as
 * diagnostics and hovers. Runs inside the extension host (see ../run.ts), never under `npm test`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { RunAggregator } from '../../../src/core/aggregator';
import { COMMANDS } from '../../../src/core/editor-view/commands';
import { DIAGNOSTIC_SOURCE } from '../../../src/core/editor-view/diagnostics-model';
import type { RecordedEvent } from '../../../src/protocol/recording';

const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
const runsDir = path.join(workspace, '.trainlens', 'runs');
const trainJs = path.join(workspace, 'train.js');

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function runDirs(): string[] {
  return fs.existsSync(runsDir) ? fs.readdirSync(runsDir).map((id) => path.join(runsDir, id)) : [];
}

function summaryOf(dir: string): { status: string; exitCode: number | null } | undefined {
  const file = path.join(dir, 'summary.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { status: string; exitCode: number | null }) : undefined;
}

async function profile(file: string): Promise<string> {
  const before = new Set(runDirs());
  await vscode.window.showTextDocument(vscode.Uri.file(file));
  await vscode.commands.executeCommand(COMMANDS.profile);
  return until('the run folder', () => runDirs().find((d) => !before.has(d)));
}

/** A recording with one hot line and one finding in train.js, written where the test can own it. */
function writeRecording(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-recording-'));
  const events: RecordedEvent[] = [
    { type: 'run', format: 1, id: 'fixture', command: ['node', trainJs], cwd: workspace, startedAtMs: Date.now(), sampleHz: 1000 },
    { type: 'step', index: 0, t: 0, ms: 100, stages: { data: 60, forward: 40 } },
    { type: 'lines', t: 100, periodMs: 100, samples: 100, entries: [{ file: trainJs, line: 5, stage: 'data', count: 40, fn: 'main' }] },
    { type: 'exit', t: 200, exitCode: 0, signal: null, status: 'completed' },
  ];
  const aggregator = new RunAggregator();
  for (const event of events) aggregator.add(event);
  const summary = aggregator.summary(dir);
  summary.findings = [
    { code: 'input-bound', severity: 'high', title: 'Input-bound', message: 'data takes 60% of each step', evidence: {}, locations: [{ file: trainJs, line: 3 }], fixes: [], impact: 0.6 },
  ];
  fs.writeFileSync(path.join(dir, 'events.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary));
  return dir;
}

describe('TrainLens in VS Code', () => {
  after(() => fs.rmSync(path.join(workspace, '.trainlens'), { recursive: true, force: true }));

  it('contributes its commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of Object.values(COMMANDS)) assert.ok(all.includes(id), id);
  });

  it('shows a recording\'s findings as diagnostics and its hot lines in hovers, until cleared', async () => {
    await vscode.commands.executeCommand(COMMANDS.openRecording, vscode.Uri.file(writeRecording()));
    const uri = vscode.Uri.file(trainJs);
    const [diagnostic] = vscode.languages.getDiagnostics(uri).filter((d) => d.source === DIAGNOSTIC_SOURCE);
    assert.equal(diagnostic?.code, 'input-bound');
    assert.equal(diagnostic?.range.start.line, 2);
    await vscode.window.showTextDocument(uri);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(4, 0));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /40\.0% of sampled time/);
    await vscode.commands.executeCommand(COMMANDS.clearAnnotations);
    assert.equal(vscode.languages.getDiagnostics(uri).filter((d) => d.source === DIAGNOSTIC_SOURCE).length, 0);
  });

  it('offers the DataLoader workers quick fix before any run, and applies it', async () => {
    const script = path.join(workspace, 'loader.py');
    fs.writeFileSync(script, 'from torch.utils.data import DataLoader\n\nloader = DataLoader(range(10), batch_size=2, num_workers=0)\n');
    try {
      const document = await vscode.workspace.openTextDocument(script);
      await vscode.window.showTextDocument(document);
      const line = new vscode.Range(2, 0, 2, 0);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, line, vscode.CodeActionKind.QuickFix.value);
      const workers = actions.find((a) => a.title.includes('Set DataLoader num_workers'));
      assert.ok(workers?.edit, `actions: ${actions.map((a) => a.title).join(' | ')}`);
      assert.ok(await vscode.workspace.applyEdit(workers.edit));
      assert.match(document.getText(), /DataLoader\(range\(10\), batch_size=2, num_workers=[1-9]\d*\)/);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      fs.rmSync(script, { force: true });
    }
  });

  it('profiles the active script and records the run', async () => {
    const dir = await profile(trainJs);
    const summary = await until('the run to end', () => summaryOf(dir));
    assert.equal(summary.status, 'completed');
    assert.equal(summary.exitCode, 0);
  });

  it('stops a run on Stop', async () => {
    const dir = await profile(path.join(workspace, 'long.js'));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await vscode.commands.executeCommand(COMMANDS.stop);
    const summary = await until('the stopped run', () => summaryOf(dir));
    assert.equal(summary.status, 'stopped');
  });
});
