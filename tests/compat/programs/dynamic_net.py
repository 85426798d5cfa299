# Written for lucidnet's compat tests; exercises the API of "PyTorch: Control Flow + Weight Sharing" (https://pytorch.org/tutorials/beginner/examples_nn/dynamic_net.html) in the way that tutorial uses it. Not a copy of it.
import math
import random

import torch


class RandomDepthPoly(torch.nn.Module):
    # a cubic whose extra high-order terms, chosen at random per call, all share one weight

    def __init__(self):
        super().__init__()
        self.w0 = torch.nn.Parameter(torch.randn(()))
        self.w1 = torch.nn.Parameter(torch.randn(()))
        self.w2 = torch.nn.Parameter(torch.randn(()))
        self.w3 = torch.nn.Parameter(torch.randn(()))
        self.shared = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        out = self.w0 + self.w1 * x + self.w2 * x ** 2 + self.w3 * x ** 3
        extra = random.randint(0, 2)
        for k in range(4, 4 + extra):
            out = out + self.shared * x ** k
        return out

    def describe(self):
        vals = [p.item() for p in (self.w0, self.w1, self.w2, self.w3, self.shared)]
        return " ".join(f"{v:.5f}" for v in vals)


xs = torch.linspace(-math.pi, math.pi, 1500)
ys = torch.sin(xs)
poly = RandomDepthPoly()
print("parameters:", [name for name, _ in poly.named_parameters()])
print("start:", poly.describe())

mse = torch.nn.MSELoss(reduction="sum")
opt = torch.optim.SGD(poly.parameters(), lr=2e-9, momentum=0.9)
for i in range(2000):
    loss = mse(poly(xs), ys)
    if i % 250 == 0:
        print(i, f"{loss.item():.4f}")
    opt.zero_grad()
    loss.backward()
    opt.step()
print("end:", poly.describe())
