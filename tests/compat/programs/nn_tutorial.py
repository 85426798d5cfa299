# Written for lucidnet's compat tests; exercises the API of "What is torch.nn really?" (https://pytorch.org/tutorials/beginner/nn_tutorial.html) in the way that tutorial uses it. Not a copy of it.
import math

import numpy as np
import standins
import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

# NumPy arrays, as unpickled from the MNIST file, become tensors
(tr_x, tr_y), (va_x, va_y), _ = standins.mnist_pickle()
tr_x, tr_y, va_x, va_y = map(torch.tensor, (tr_x, tr_y, va_x, va_y))
count, width = tr_x.shape
print("train", tr_x.shape, tr_y.dtype, "labels from", tr_y.min(), "to", tr_y.max())
print("valid", va_x.shape)

BATCH = 50
ROUNDS = 2

# ---- stage 1: a logistic regression with hand-made tensors and hand-made loss
W = torch.randn(width, 10) / math.sqrt(width)
W.requires_grad_()
b = torch.zeros(10, requires_grad=True)


def my_log_softmax(z):
    return z - z.exp().sum(-1).log().unsqueeze(-1)


def my_nll(logp, labels):
    return -logp[range(labels.shape[0]), labels].mean()


def hit_rate(scores, labels):
    return (torch.argmax(scores, dim=1) == labels).float().mean()


def scratch_model(xb):
    return my_log_softmax(xb @ W + b)


first_x, first_y = tr_x[:BATCH], tr_y[:BATCH]
out = scratch_model(first_x)
print("one row of log-probs", out[0], out.shape)
print("before:", my_nll(out, first_y), hit_rate(out, first_y))

step = 0.4
for _ in range(ROUNDS):
    for k in range(math.ceil(count / BATCH)):
        xb, yb = tr_x[k * BATCH:(k + 1) * BATCH], tr_y[k * BATCH:(k + 1) * BATCH]
        loss = my_nll(scratch_model(xb), yb)
        loss.backward()
        with torch.no_grad():
            W -= W.grad * step
            b -= b.grad * step
            W.grad.zero_()
            b.grad.zero_()
print("after:", my_nll(scratch_model(xb), yb), hit_rate(scratch_model(xb), yb))

# ---- stage 2: F.cross_entropy replaces log_softmax + nll
crit = F.cross_entropy
print("cross_entropy on raw scores:", crit(xb @ W + b, yb))


# ---- stage 3: the same model as an nn.Module with nn.Parameter, then with nn.Linear
class ByHand(nn.Module):
    def __init__(self):
        super().__init__()
        self.W = nn.Parameter(torch.randn(width, 10) / math.sqrt(width))
        self.b = nn.Parameter(torch.zeros(10))

    def forward(self, xb):
        return xb @ self.W + self.b


class WithLinear(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(width, 10)

    def forward(self, xb):
        return self.fc(xb)


def train_by_hand(net):
    for _ in range(ROUNDS):
        for k in range(math.ceil(count / BATCH)):
            xb, yb = tr_x[k * BATCH:(k + 1) * BATCH], tr_y[k * BATCH:(k + 1) * BATCH]
            crit(net(xb), yb).backward()
            with torch.no_grad():
                for p in net.parameters():
                    p -= p.grad * step
                net.zero_grad()


for cls in (ByHand, WithLinear):
    net = cls()
    print(cls.__name__, "before", crit(net(first_x), first_y).item())
    train_by_hand(net)
    print(cls.__name__, "after", crit(net(first_x), first_y).item())


# ---- stage 4: optim.SGD, then TensorDataset slicing, then a DataLoader
def fresh():
    net = WithLinear()
    return net, optim.SGD(net.parameters(), lr=step)


net, opt = fresh()
pairs = TensorDataset(tr_x, tr_y)
for _ in range(ROUNDS):
    for k in range(math.ceil(count / BATCH)):
        xb, yb = pairs[k * BATCH:(k + 1) * BATCH]
        crit(net(xb), yb).backward()
        opt.step()
        opt.zero_grad()
print("TensorDataset slices:", crit(net(first_x), first_y).item())

net, opt = fresh()
for _ in range(ROUNDS):
    for xb, yb in DataLoader(pairs, batch_size=BATCH):
        crit(net(xb), yb).backward()
        opt.step()
        opt.zero_grad()
print("DataLoader batches:", crit(net(first_x), first_y).item())


# ---- stage 5: shuffled training, a validation pass, a reusable fit()
def one_batch(net, xb, yb, opt=None):
    loss = crit(net(xb), yb)
    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()
    return loss.item(), len(xb)


def loaders(bs):
    return (DataLoader(pairs, batch_size=bs, shuffle=True),
            DataLoader(TensorDataset(va_x, va_y), batch_size=2 * bs))


def fit(net, opt, train_dl, valid_dl, rounds=ROUNDS):
    for r in range(rounds):
        net.train()
        for xb, yb in train_dl:
            one_batch(net, xb, yb, opt)
        net.eval()
        with torch.no_grad():
            losses, sizes = zip(*[one_batch(net, xb, yb) for xb, yb in valid_dl])
        print(f"  round {r}: validation loss {np.sum(np.multiply(losses, sizes)) / np.sum(sizes):.6f}"
              f" over {len(valid_dl)} batches")


train_dl, valid_dl = loaders(BATCH)
net, opt = fresh()
net.train()
for xb, yb in train_dl:
    one_batch(net, xb, yb, opt)
net.eval()
with torch.no_grad():
    summed = sum(crit(net(xb), yb) for xb, yb in valid_dl)
print("summed validation loss / batches:", summed / len(valid_dl))
print("fit, linear:")
fit(*fresh(), train_dl, valid_dl)


# ---- stage 6: convolutions, as a class, as nn.Sequential with a Lambda module, and
# with the reshaping moved into a wrapped loader
class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1)
        self.b = nn.Conv2d(8, 10, kernel_size=3, stride=2, padding=1)

    def forward(self, xb):
        xb = xb.view(-1, 1, 28, 28)
        xb = F.relu(self.a(xb))
        xb = F.relu(self.b(xb))
        xb = F.avg_pool2d(xb, 7)
        return xb.view(-1, xb.size(1))


class Lambda(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


step = 0.1
print("fit, conv class:")
cnn = SmallCnn()
fit(cnn, optim.SGD(cnn.parameters(), lr=step, momentum=0.9), train_dl, valid_dl)

seq = nn.Sequential(
    Lambda(lambda x: x.view(-1, 1, 28, 28)),
    nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(),
    nn.Conv2d(8, 10, kernel_size=3, stride=2, padding=1), nn.ReLU(),
    nn.AvgPool2d(7),
    Lambda(lambda x: x.view(x.size(0), -1)),
)
print("fit, conv Sequential:")
fit(seq, optim.SGD(seq.parameters(), lr=step, momentum=0.9), train_dl, valid_dl)


class Reshaped:
    def __init__(self, loader, fn):
        self.loader, self.fn = loader, fn

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        for batch in self.loader:
            yield self.fn(*batch)


device = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
print("cuda available:", torch.cuda.is_available(), "using", device)


def to_images(x, y):
    return x.view(-1, 1, 28, 28).to(device), y.to(device)


tdl, vdl = loaders(BATCH)
pooled = nn.Sequential(
    nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(),
    nn.Conv2d(8, 10, kernel_size=3, stride=2, padding=1), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1),
    Lambda(lambda x: x.view(x.size(0), -1)),
)
pooled.to(device)
print("fit, adaptive pooling on a wrapped loader:")
fit(pooled, optim.SGD(pooled.parameters(), lr=step, momentum=0.9),
    Reshaped(tdl, to_images), Reshaped(vdl, to_images))
