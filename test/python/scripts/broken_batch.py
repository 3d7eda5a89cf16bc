"""Makes the runner's own code fail: the batch is a dict whose values() raises, which only the
runner calls (to count samples). Training must go on, with instrumentation switched off."""
import torch
from torch.utils.data import DataLoader


class Batch(dict):
    def values(self):
        raise RuntimeError("values() is not for you")


loader = DataLoader(list(range(40)), batch_size=4, collate_fn=lambda items: Batch(x=torch.tensor(items)))
model = torch.nn.Linear(1, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
total = 0
for batch in loader:
    optimizer.zero_grad()
    model(batch["x"].float().unsqueeze(1)).sum().backward()
    optimizer.step()
    total += len(batch["x"])
restored = torch.utils.data.dataloader._BaseDataLoaderIter.__next__.__module__
print("trained on", total, "samples; __next__ from", restored, flush=True)
