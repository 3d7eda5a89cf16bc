import assert from 'node:assert/strict';
import { ModelFlow, type ModelFeed } from '../../src/core/findings/feeds-model';

function flowOver(files: Record<string, string[]>): ModelFlow {
  return new ModelFlow((file, line) => files[file]?.[line - 1], Object.keys(files));
}

/** Where each line of a one-file script leads: the model or training step it reaches, null, or undefined (unreadable). */
function flowOf(lines: string[]): (line: number) => ModelFeed | null | undefined {
  const flow = flowOver({ '/w/train.py': lines });
  return (line) => flow.feeds('/w/train.py', line);
}

const input = (name: string, line: number, file = '/w/train.py'): ModelFeed => ({ kind: 'input', name, file, line });

describe('findings: what feeds the model', () => {
  it('follows features built in the loop into the model call that trains (the polynomial-regression shape)', () => {
    const feeds = flowOf(
      [
        'import torch', // 1
        'fc = torch.nn.Linear(4, 1)', // 2
        'for step in range(100):', // 3
        '    x = make_features(torch.randn(32))', // 4
        '    y = f(x)', // 5
        '    out = fc(x)', // 6
        '    loss = ((out - y) ** 2).mean()', // 7
        '    loss.backward()', // 8
        '    acc = loss.item()', // 9
        '    print(f"loss {acc:.3f}")', // 10
      ],
    );
    assert.deepEqual(feeds(4), input('x', 6));
    assert.deepEqual(feeds(5), input('loss', 8), 'the target reaches no model call, but the loss it makes is backpropagated');
    assert.equal(feeds(9), null, 'a metric read from the loss feeds nothing');
    assert.equal(feeds(10), null);
    assert.deepEqual(feeds(8), { kind: 'training', file: '/w/train.py', line: 8 });
  });

  it("follows a function's return value to its callers, across files", () => {
    const flow = flowOver({
      '/w/train.py': [
        'from data import get_batch', // 1
        'model = Net()', // 2
        'optimizer = torch.optim.SGD(model.parameters(), lr=0.1)', // 3
        'for step in range(100):', // 4
        '    xb, yb = get_batch()', // 5
        '    loss = loss_fn(model(xb), yb)', // 6
        '    loss.backward()', // 7
      ],
      '/w/data.py': ['def get_batch():', '    raw = torch.randn(32)', '    x = raw.unsqueeze(1)', '    return x, raw * 2'],
    });
    assert.deepEqual(flow.feeds('/w/data.py', 3), input('xb, yb', 6));
    assert.deepEqual(flow.feeds('/w/data.py', 2), input('xb, yb', 6));
    assert.deepEqual(flow.feeds('/w/train.py', 5), input('xb, yb', 6));
  });

  it('counts a model output only once it reaches training: an evaluation is a metric', () => {
    const feeds = flowOf(
      [
        'optimizer = torch.optim.Adam(model.parameters())', // 1
        'for step, (x, y) in enumerate(loader):', // 2
        '    loss = loss_fn(model(x), y)', // 3
        '    loss.backward()', // 4
        '    optimizer.step()', // 5
        '    val_x = next(val_iter)', // 6
        '    val_acc = (model(val_x).argmax(1) == val_y).float().mean()', // 7
        '    writer.add_scalar("val", val_acc.item(), step)', // 8
        '    score = evaluate(model, val_loader)', // 9
      ],
    );
    assert.equal(feeds(6), null, 'the validation batch reaches the model, but never backward');
    assert.equal(feeds(7), null);
    assert.equal(feeds(9), null, 'a line that hands the model to an evaluation computes a metric');
  });

  it('treats a value handed to a function together with the model as fed to it', () => {
    const feeds = flowOf(['optimizer = torch.optim.SGD(model.parameters(), lr=0.1)', 'for x, y in loader:', '    features = x.float() / 255', '    train_step(model, optimizer, features, y)']);
    assert.deepEqual(feeds(3), input('features', 4));
  });

  it('follows a value into a closure and around the loop to the next iteration (nanoGPT fetches between forward and backward)', () => {
    const closure = flowOf(
      ['optimizer = optim.LBFGS(seq.parameters())', 'for i in range(15):', '    x = make_input()', '    def closure():', '        optimizer.zero_grad()', '        loss = criterion(seq(x), target)', '        loss.backward()', '        return loss', '    optimizer.step(closure)'],
    );
    assert.deepEqual(closure(3), input('x', 6));
    const nano = flowOf(
      [
        'optimizer = torch.optim.AdamW(model.parameters())', // 1
        'X, Y = get_batch()', // 2
        'for it in range(100):', // 3
        '    for micro in range(4):', // 4
        '        logits, loss = model(X, Y)', // 5
        '        loss = loss / 4', // 6
        '        X, Y = get_batch()', // 7
        '        loss.backward()', // 8
        '    optimizer.step()', // 9
      ],
    );
    assert.deepEqual(nano(7), input('X, Y', 5));
  });

  it('calls a manual update of the parameters training', () => {
    const feeds = flowOf(['for p in model.parameters():', '    p.data.add_(p.grad, alpha=-lr)', 'with torch.no_grad():', '    w -= lr * w.grad', '    w.grad.zero_()']);
    assert.equal(feeds(2)?.kind, 'training');
    assert.equal(feeds(5)?.kind, 'training');
  });

  it('stops following a name assigned afresh from other values', () => {
    const feeds = flowOf(['optimizer = torch.optim.SGD(model.parameters(), lr=0.1)', 'for x, y in loader:', '    stats = summarize(x)', '    stats = None', '    loss = loss_fn(model(x), y) + 0 * torch.tensor(stats or 0)', '    loss.backward()']);
    assert.equal(feeds(3), null);
  });

  it('reads code only: strings, comments, docstrings and continuation lines', () => {
    const feeds = flowOf(
      [
        'optimizer = torch.optim.SGD(model.parameters(), lr=0.1)', // 1
        'for x, y in loader:', // 2
        '    """x = model(x) in a docstring', // 3
        '    loss.backward() too"""', // 4
        '    batch = prepare(x,  # model(x) in a comment', // 5
        '                    "# not a comment")', // 6
        '    print("model(batch)", batch.shape)', // 7
        '    loss = loss_fn(model(batch),', // 8
        '                   y)', // 9
        '    loss.backward()', // 10
      ],
    );
    assert.deepEqual(feeds(6), input('batch', 8), 'any line of a statement stands for it');
    assert.equal(feeds(7), null);
  });

  it('cannot tell for a file it cannot read, or code that is not Python', () => {
    const flow = new ModelFlow(() => undefined, []);
    assert.equal(flow.feeds('/w/missing.py', 3), undefined);
    assert.equal(new ModelFlow(() => 'const x = 1;', ['/w/train.js']).feeds('/w/train.js', 1), undefined);
  });
});
