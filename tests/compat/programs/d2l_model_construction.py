# Written for lucidnet's compat tests; exercises the API of d2l "Layers and Modules"
# (https://d2l.ai/chapter_builders-guide/model-construction.html) in the way that tutorial uses it.
# Not a copy of it.
import torch
from torch import nn
from torch.nn import functional as F

batch = torch.rand(3, 12)
plain = nn.Sequential(nn.Linear(12, 40), nn.ReLU(), nn.Linear(40, 5))
print("Sequential:", plain(batch))


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = nn.Linear(12, 40)
        self.outer = nn.Linear(40, 5)

    def forward(self, X):
        return self.outer(F.relu(self.inner(X)))


print("subclass:", TwoLayer()(batch))


class Chain(nn.Module):
    """A hand-made Sequential: children kept in self._modules under their position."""

    def __init__(self, *blocks):
        super().__init__()
        for position, block in enumerate(blocks):
            self._modules[str(position)] = block

    def forward(self, X):
        for block in self._modules.values():
            X = block(X)
        return X


chain = Chain(nn.Linear(12, 40), nn.ReLU(), nn.Linear(40, 5))
print("Chain:", chain(batch))
print(list(chain._modules.keys()))


class ConstantMix(nn.Module):
    """A fixed random matrix, one Linear layer used twice, and Python control flow."""

    def __init__(self):
        super().__init__()
        self.fixed = torch.rand((12, 12), requires_grad=False)
        self.shared = nn.Linear(12, 12)

    def forward(self, X):
        X = self.shared(X)
        X = F.relu(torch.mm(X, self.fixed) + 1)
        X = self.shared(X)
        halvings = 0
        while X.abs().sum() > 1:
            X /= 2
            halvings += 1
        print("halved", halvings, "times")
        return X.sum()


print("ConstantMix:", ConstantMix()(batch))


class Nested(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(12, 24), nn.ReLU(), nn.Linear(24, 16), nn.ReLU())
        self.tail = nn.Linear(16, 8)

    def forward(self, X):
        return self.tail(self.body(X))


mixed = nn.Sequential(Nested(), nn.Linear(8, 12), ConstantMix())
print("mixed:", mixed(batch))
print(mixed)
