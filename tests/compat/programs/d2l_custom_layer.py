# Written for lucidnet's compat tests; exercises the API of d2l "Custom Layers"
# (https://d2l.ai/chapter_builders-guide/custom-layer.html) in the way that tutorial uses it. Not a
# copy of it.
import torch
from torch import nn
from torch.nn import functional as F


class MeanRemover(nn.Module):
    """No parameters: subtracts the mean of everything it is given."""

    def forward(self, inputs):
        return inputs - inputs.mean()


remover = MeanRemover()
print("centred:", remover(torch.FloatTensor([2, 4, 6, 11])))
stack = nn.Sequential(nn.Linear(6, 32), MeanRemover())
out = stack(torch.rand(3, 6))
print("mean after centring is ~0:", abs(out.mean().item()) < 1e-5)


class Dense(nn.Module):
    """A ReLU layer whose weight and bias are parameters drawn from N(0, 1)."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_in, n_out))
        self.bias = nn.Parameter(torch.randn(n_out,))

    def forward(self, inputs):
        return F.relu(torch.matmul(inputs, self.weight.data) + self.bias.data)


dense = Dense(4, 2)
print(dense.weight)
print(dense.bias)
print(dense(torch.rand(3, 4)))
deep = nn.Sequential(Dense(16, 6), Dense(6, 2))
print(deep(torch.rand(2, 16)))
print([name for name, _ in deep.named_parameters()])
