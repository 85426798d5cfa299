# Written for lucidnet's compat tests; exercises the API of pytorch/examples "regression"
# (https://github.com/pytorch/examples/blob/main/regression/main.py) in the way that example uses
# it. Not a copy of it.
from itertools import count

import torch
import torch.nn.functional as F

DEGREE = 3
coeffs = torch.randn(DEGREE, 1) * 3
offset = torch.randn(1) * 3


def powers(t):
    """Columns t, t^2, ..., t^DEGREE of a 1-d tensor."""
    t = t.unsqueeze(1)
    return torch.cat([t ** k for k in range(1, DEGREE + 1)], 1)


def target(features):
    return features.mm(coeffs) + offset.item()


def describe(weights, bias):
    terms = ' '.join(f'{w:+.3f}*x^{k}' for k, w in enumerate(weights, start=1))
    return terms + f' {bias[0]:+.3f}'


def sample(n=24):
    features = powers(torch.randn(n))
    return features, target(features)


head = torch.nn.Linear(coeffs.size(0), 1)
for step in count(1):
    xs, ys = sample()
    head.zero_grad()
    objective = F.smooth_l1_loss(head(xs), ys)
    value = objective.item()
    objective.backward()
    for p in head.parameters():
        p.data.add_(-0.05 * p.grad)
    if step % 25 == 0:
        print(f'step {step:3d}  loss {value:.6f}')
    if value < 1e-3 or step == 150:
        break

print(f'stopped after {step} steps with loss {value:.6f}')
print('fit:   ' + describe(head.weight.view(-1), head.bias))
print('truth: ' + describe(coeffs.view(-1), offset))
