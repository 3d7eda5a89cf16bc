import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Writable } from 'stream';
import { runCompareCommand } from '../../src/cli/compare-command';
import { runFixCommand } from '../../src/cli/fix-command';
import { CliUsageError, type CliIo } from '../../src/cli/io';
import { wasmInNodeModules } from '../../src/core/fixes/grammars';
import type { RunSummary } from '../../src/core/summary';
import { NODE_MODULES } from './golden-cases';
import { summaryWith } from './summary-fixture';

const wasm = wasmInNodeModules(NODE_MODULES);

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

function ioIn(cwd: string): CliIo & { stdout: Capture; stderr: Capture } {
  return { stdout: new Capture(), stderr: new Capture(), cwd };
}

const SCRIPT = `import torch
from torch.utils.data import DataLoader, TensorDataset


def main():
    data = TensorDataset(torch.randn(64, 4), torch.randint(0, 2, (64,)))
    loader = DataLoader(
        data,
        batch_size=16,
    )
    model = torch.nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        print("loss", loss.item())


if __name__ == "__main__":
    main()
`;

function writeRun(cwd: string, id: string, summary: RunSummary): string {
  const dir = path.join(cwd, '.trainlens', 'runs', id);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'events.jsonl'), '');
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify({ ...summary, id }));
  return dir;
}

describe('trainlens fix / compare', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-fix-'));
    fs.writeFileSync(path.join(cwd, 'train.py'), SCRIPT);
  });
  afterEach(() => fs.rmSync(cwd, { recursive: true, force: true }));

  it('--list shows every id with its languages and title', async () => {
    const io = ioIn(cwd);
    assert.strictEqual(await runFixCommand(['--list'], io, wasm), 0);
    assert.strictEqual(io.stdout.text.trim().split('\n').length, 13);
    assert.match(io.stdout.text, /^tfjs-prefetch +javascript\/typescript\/tsx +Prefetch the dataset passed to fitDataset/m);
  });

  it('--file --fix prints a diff and leaves the file alone without --apply', async () => {
    const io = ioIn(cwd);
    assert.strictEqual(await runFixCommand(['--file', 'train.py', '--fix', 'dataloader-workers', '--cores', '4'], io, wasm), 0);
    assert.strictEqual(io.stdout.text, ['--- a/train.py', '+++ b/train.py', '@@ -7,6 +7,7 @@', '     loader = DataLoader(', '         data,', '         batch_size=16,', '+        num_workers=3,', '     )', '     model = torch.nn.Linear(4, 2)', '     optimizer = torch.optim.SGD(model.parameters(), lr=0.1)', ''].join('\n'));
    assert.match(io.stderr.text, /dataloader-workers \(train\.py\): Set num_workers=3 on the DataLoader at line 7/);
    assert.strictEqual(fs.readFileSync(path.join(cwd, 'train.py'), 'utf8'), SCRIPT);
  });

  it('--apply writes the fix', async () => {
    const io = ioIn(cwd);
    assert.strictEqual(await runFixCommand(['--file', 'train.py', '--fix', 'zero-grad-set-to-none', '--torch-version', '1.13.1', '--apply'], io, wasm), 0);
    assert.ok(fs.readFileSync(path.join(cwd, 'train.py'), 'utf8').includes('optimizer.zero_grad(set_to_none=True)'));
  });

  it('a refusal prints its reason and exits 1', async () => {
    const io = ioIn(cwd);
    assert.strictEqual(await runFixCommand(['--file', 'train.py', '--fix', 'dataloader-pin-memory'], io, wasm), 1);
    assert.strictEqual(io.stdout.text, '');
    assert.strictEqual(io.stderr.text, 'dataloader-pin-memory (train.py): refused: pin_memory only speeds up copies to a CUDA device, and this run has no CUDA\n');
  });

  it('rejects incomplete or unknown options as usage errors', async () => {
    await assert.rejects(runFixCommand(['--file', 'train.py'], ioIn(cwd), wasm), CliUsageError);
    await assert.rejects(runFixCommand(['--file', 'train.py', '--fix', 'turbo'], ioIn(cwd), wasm), CliUsageError);
    await assert.rejects(runFixCommand(['--file', 'train.py', '--fix', 'metric-every-n', '--line', 'x'], ioIn(cwd), wasm), CliUsageError);
  });

  it('fixes a recorded run: every finding, lines followed through earlier edits, and the result still trains', async () => {
    const finding = { severity: 'high' as const, title: '', message: '', evidence: {} };
    writeRun(cwd, '20250101-000000-train', summaryWith({
      cwd,
      framework: 'pytorch',
      frameworkVersion: '1.13.0',
      findings: [
        { ...finding, code: 'input-bound', evidence: { cores: 4 }, locations: [{ file: 'train.py', line: 7 }], fixes: ['dataloader-workers', 'dataloader-persistent-workers'], impact: 0.6 },
        { ...finding, code: 'host-sync', locations: [{ file: 'train.py', line: 18 }], fixes: ['metric-every-n'], impact: 0.2 },
        { ...finding, code: 'made-up', locations: [{ file: 'missing.py', line: 1 }], fixes: ['zero-grad-set-to-none'], impact: 0.1 },
      ],
    }));
    const io = ioIn(cwd);
    assert.strictEqual(await runFixCommand(['latest', '--apply'], io, wasm), 0);
    const fixed = fs.readFileSync(path.join(cwd, 'train.py'), 'utf8');
    assert.ok(fixed.includes('        num_workers=3,\n        persistent_workers=True,\n    )'), fixed);
    assert.ok(fixed.includes('    for step, (x, y) in enumerate(loader):'), fixed);
    assert.ok(fixed.includes('        if step % 10 == 0:\n            print("loss", loss.item())'), fixed);
    assert.match(io.stderr.text, /zero-grad-set-to-none \(missing\.py\): refused: cannot read it \(ENOENT\)/);
    const out = execFileSync('/usr/bin/python3', ['-W', 'ignore', 'train.py'], { cwd, encoding: 'utf8', timeout: 30_000 });
    assert.strictEqual(out.trim().split('\n').length, 1, out); // 4 steps, printed at step 0 only
  });

  it('writes the worker count the run measured, and says the gain its figures predict', async () => {
    const evidence = { cores: 2, suggestedWorkers: 2, expectedSpeedup: 1.87 };
    const finding = { code: 'input-bound', severity: 'high' as const, title: '', message: '', evidence, locations: [{ file: 'train.py', line: 7 }], fixes: ['dataloader-workers' as const], impact: 0.9 };
    writeRun(cwd, 'run-a', summaryWith({ cwd, framework: 'pytorch', frameworkVersion: '1.13.0', findings: [finding] }));
    const io = ioIn(cwd);
    assert.strictEqual(await runFixCommand(['latest', '--apply'], io, wasm), 0);
    assert.ok(fs.readFileSync(path.join(cwd, 'train.py'), 'utf8').includes('        num_workers=2,\n    )'));
    assert.match(io.stderr.text, /dataloader-workers \(train\.py:7\): Set num_workers=2 on the DataLoader at line 7: expected up to 1\.9× faster, from the last run's loading and step times/);
  });

  it('says so when a run has nothing to fix', async () => {
    writeRun(cwd, 'run-a', summaryWith({ cwd }));
    const io = ioIn(cwd);
    assert.strictEqual(await runFixCommand(['latest'], io, wasm), 0);
    assert.strictEqual(io.stderr.text, 'no fixes to offer: the run has no findings\n');
  });

  it('compare prints the verdict sentence and a table; --json the comparison', async () => {
    const a = writeRun(cwd, 'run-a', summaryWith({ cwd, batchesPerSec: 10, stages: { data: { ms: 60, share: 0.6 } } }));
    const b = writeRun(cwd, 'run-b', summaryWith({ cwd, batchesPerSec: 10.2, stages: { data: { ms: 58, share: 0.58 } } }));
    const io = ioIn(cwd);
    assert.strictEqual(await runCompareCommand([a, b], io), 0);
    assert.match(io.stdout.text, /^The change did not help: 10\.0 → 10\.2 batches\/s \(\+2\.0%\)/);
    assert.match(io.stdout.text, /data share +60% +58%/);
    const json = ioIn(cwd);
    const noise = writeRun(cwd, 'run-a2', summaryWith({ cwd, batchesPerSec: 10 }));
    assert.strictEqual(await runCompareCommand(['--json', a, b, '--noise', noise], json), 0);
    const parsed = JSON.parse(json.stdout.text) as { verdict: string; noiseRuns: number };
    assert.deepStrictEqual([parsed.verdict, parsed.noiseRuns], ['faster', 2]);
  });
});
