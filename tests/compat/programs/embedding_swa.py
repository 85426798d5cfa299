# Written for lucidnet's compat tests: a bag-of-embeddings text classifier trained with ASGD and
# then averaged with stochastic weight averaging (torch.optim.swa_utils), as PyTorch users write
# one. Our own code, not a copy of any published program.
import torch
import torch.nn as nn
from torch.optim.swa_utils import SWALR, AveragedModel, update_bn
from torch.utils.data import DataLoader, TensorDataset

VOCAB, PAD = 24, 0
tokens = torch.randint(1, VOCAB, (40, 7))
tokens[::3, 5:] = PAD                        # some shorter sentences
targets = (tokens % 3 == 0).sum(dim=1).clamp(max=2)   # 3 classes from the token content
print('class counts', torch.bincount(targets, minlength=3).tolist())


class BagOfEmbeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, 6, padding_idx=PAD, max_norm=2.0)
        self.pair = nn.Bilinear(6, 6, 5)
        self.norm = nn.BatchNorm1d(5)
        self.act = nn.PReLU(5)
        self.out = nn.Linear(5, 3)

    def forward(self, x):
        mask = (x != PAD).unsqueeze(-1).float()
        mean = (self.embed(x) * mask).sum(1) / mask.sum(1).clamp(min=1)
        return self.out(self.act(self.norm(self.pair(mean, mean))))


model = BagOfEmbeddings()
print(model)
loader = DataLoader(TensorDataset(tokens, targets), batch_size=8, shuffle=True)
optimizer = torch.optim.ASGD(model.parameters(), lr=0.05, t0=10)
criterion = nn.MultiMarginLoss(margin=0.5)
swa_model = AveragedModel(model)
swa_scheduler = SWALR(optimizer, swa_lr=0.02, anneal_epochs=2, anneal_strategy='cos')

for epoch in range(6):
    total = 0.0
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
    if epoch >= 3:
        swa_model.update_parameters(model)
        swa_scheduler.step()
    print(f'epoch {epoch} loss {total / len(targets):.6f} lr {optimizer.param_groups[0]["lr"]:.6f}')

update_bn(loader, swa_model)
print('averaged', swa_model.n_averaged.item(), 'running mean', swa_model.module.norm.running_mean.tolist())
swa_model.eval()
with torch.no_grad():
    accuracy = (swa_model(tokens).argmax(1) == targets).float().mean().item()
print('swa accuracy', accuracy)
print('embedding row norms', model.embed.weight.norm(dim=1)[:6])
print('state keys', list(swa_model.state_dict().keys())[:4])
print('ax of the first parameter', optimizer.state[model.embed.weight]['ax'][1].tolist())
