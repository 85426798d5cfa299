# Written for lucidnet's compat tests; exercises the API of "PyTorch: Defining New autograd Functions" (https://pytorch.org/tutorials/beginner/examples_autograd/polynomial_custom_function.html) in the way that tutorial uses it. Not a copy of it.
import math

import torch


class Chebyshev3(torch.autograd.Function):
    # T3(u) = 4u^3 - 3u, with its derivative 12u^2 - 3 written by hand

    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        return 4 * u ** 3 - 3 * u

    @staticmethod
    def backward(ctx, grad_out):
        (u,) = ctx.saved_tensors
        return grad_out * (12 * u ** 2 - 3)


cpu = torch.device("cpu")
kind = torch.float
grid = torch.linspace(-math.pi / 2, math.pi / 2, 1200, device=cpu, dtype=kind)
target = torch.cos(grid) * 0.5 + 0.2 * grid

# y = p0 + p1 * T3(p2 + p3 * x)
start = {"p0": 0.1, "p1": 0.4, "p2": -0.1, "p3": 0.5}
coef = {name: torch.full((), value, device=cpu, dtype=kind, requires_grad=True)
        for name, value in start.items()}
step = 2e-5

for it in range(1500):
    t3 = Chebyshev3.apply
    guess = coef["p0"] + coef["p1"] * t3(coef["p2"] + coef["p3"] * grid)
    err = (guess - target).pow(2).sum()
    if it % 150 == 0 or it == 1499:
        print(f"step {it:4d}  squared error {err.item():.6f}")
    err.backward()
    with torch.no_grad():
        for p in coef.values():
            p -= step * p.grad
            p.grad = None

print("fitted:", ", ".join(f"{k}={v.item():.5f}" for k, v in coef.items()))
print("grad after reset is None:", all(p.grad is None for p in coef.values()))
