# Written for lucidnet's compat tests; exercises the API of pytorch/examples "mnist_forward_forward"
# (https://github.com/pytorch/examples/blob/main/mnist_forward_forward/main.py) in the way that
# example uses it. Not a copy of it.
import argparse

import numpy
import torch
import torch.nn as nn
from torch.optim import Adam
from torch.utils.data import DataLoader, TensorDataset


def wrong_labels(y):
    """For each label, one other class picked at random."""
    out = y.clone()
    for i, label in enumerate(y):
        others = [k for k in range(10) if k != label.item()]
        out[i] = torch.tensor(others)[torch.randint(len(others), size=(1,))].item()
    return out.to(device)


def stamp_label(x, y, classes=10):
    """Write a one-hot of y into the first classes pixels of each flattened image."""
    marked = x.clone()
    marked[:, :classes] *= 0.0
    marked[range(x.shape[0]), y] = x.max()
    return marked


class GoodnessLayer(nn.Linear):
    def __init__(self, n_in, n_out, bias=True, device=None, dtype=None):
        super().__init__(n_in, n_out, bias, device, dtype)
        self.act = torch.nn.ReLU()
        self.opt = Adam(self.parameters(), lr=opts.lr)
        self.threshold = opts.threshold
        self.rounds = opts.epochs

    def forward(self, x):
        unit = x / (x.norm(2, 1, keepdim=True) + 1e-4)
        return self.act(torch.mm(unit, self.weight.T) + self.bias.unsqueeze(0))

    def train(self, pos, neg):
        for r in range(self.rounds):
            good_pos = self.forward(pos).pow(2).mean(1)
            good_neg = self.forward(neg).pow(2).mean(1)
            margins = torch.cat([self.threshold - good_pos, good_neg - self.threshold])
            loss = torch.log1p(torch.exp(margins)).mean()
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            if r % opts.log_interval == 0:
                print(f"round {r} loss {loss.item():.6f}")
        return self.forward(pos).detach(), self.forward(neg).detach()


class ForwardForward(torch.nn.Module):
    def __init__(self, widths):
        super().__init__()
        self.stack = [GoodnessLayer(a, b).to(device) for a, b in zip(widths, widths[1:])]

    def predict(self, x):
        scores = []
        for label in range(10):
            h = stamp_label(x, label)
            total = []
            for layer in self.stack:
                h = layer(h)
                total = total + [h.pow(2).mean(1)]
            scores += [sum(total).unsqueeze(1)]
        return torch.cat(scores, 1).argmax(1)

    def train(self, pos, neg):
        for k, layer in enumerate(self.stack):
            print("layer", k)
            pos, neg = layer.train(pos, neg)


def digits(n, seed):
    gen = numpy.random.default_rng(seed)
    y = gen.integers(0, 10, size=n)
    x = gen.random((n, 28, 28), dtype=numpy.float32) * 0.3
    for img, k in zip(x, y):
        img[2 + 2 * k:5 + 2 * k, 6:22] += 0.7
    x = (x - 0.3) / 0.35
    return TensorDataset(torch.flatten(torch.from_numpy(x), 1), torch.from_numpy(y))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--lr", type=float, default=0.03)
    parser.add_argument("--threshold", type=float, default=2)
    parser.add_argument("--train_size", type=int, default=120)
    parser.add_argument("--test_size", type=int, default=60)
    parser.add_argument("--log-interval", type=int, default=10)
    opts = parser.parse_args()
    device = torch.device("cpu")

    x, y = next(iter(DataLoader(digits(300, 8), batch_size=opts.train_size)))
    x_test, y_test = next(iter(DataLoader(digits(100, 9), batch_size=opts.test_size)))
    net = ForwardForward([784, 96, 96])
    pos = stamp_label(x, y)
    neg = stamp_label(x, wrong_labels(y))
    net.train(pos, neg)
    print("train error:", 1.0 - net.predict(x).eq(y).float().mean().item())
    print("test error:", 1.0 - net.predict(x_test).eq(y_test).float().mean().item())
