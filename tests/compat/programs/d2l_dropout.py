# Written for lucidnet's compat tests; exercises the API of d2l "Dropout"
# (https://d2l.ai/chapter_multilayer-perceptrons/dropout.html) in the way that tutorial uses it.
# Not a copy of it.
import d2l_standin as d2l
import torch
from torch import nn


def drop(values, p):
    """Zero each entry with probability p and scale the survivors by 1 / (1 - p)."""
    assert 0 <= p <= 1
    if p == 1:
        return torch.zeros_like(values)
    if p == 0:
        return values
    keep = (torch.rand(values.shape) > p).float()
    return keep * values / (1.0 - p)


grid = torch.arange(12, dtype=torch.float32).reshape((3, 4))
for p in (0.0, 0.4, 1.0):
    print(f"p={p}:", drop(grid, p))

P_FIRST, P_SECOND = 0.3, 0.5


class TwoHidden(nn.Module):
    def __init__(self, n_in, n_hidden, n_out, training=True):
        super().__init__()
        self.n_in = n_in
        self.training = training
        self.first = nn.Linear(n_in, n_hidden)
        self.second = nn.Linear(n_hidden, n_hidden)
        self.head = nn.Linear(n_hidden, n_out)
        self.act = nn.ReLU()

    def forward(self, images):
        h = self.act(self.first(images.reshape((-1, self.n_in))))
        if self.training == True:  # noqa: E712 - the tutorial compares to True
            h = drop(h, P_FIRST)
        h = self.act(self.second(h))
        if self.training == True:  # noqa: E712
            h = drop(h, P_SECOND)
        return self.head(h)


train_iter, test_iter = d2l.load_data_fashion_mnist(64)
criterion = nn.CrossEntropyLoss(reduction='none')
scratch = TwoHidden(784, 128, 10)
d2l.train_ch3(scratch, train_iter, test_iter, criterion, 2,
              torch.optim.SGD(scratch.parameters(), lr=0.3))

concise = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Dropout(P_FIRST),
                        nn.Linear(128, 128), nn.ReLU(), nn.Dropout(P_SECOND), nn.Linear(128, 10))


def small_normal(module):
    if type(module) == nn.Linear:  # noqa: E721 - the tutorial's test
        nn.init.normal_(module.weight, std=0.01)


concise.apply(small_normal)
print(concise)
d2l.train_ch3(concise, train_iter, test_iter, criterion, 2,
              torch.optim.SGD(concise.parameters(), lr=0.3))
