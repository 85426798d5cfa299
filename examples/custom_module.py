"""A custom layer: an ``nn.Module`` with its own ``Parameter``, computed by a custom autograd
``Function`` with a hand-written backward, checked with ``gradcheck`` and then trained.

The layer is Swish with a learnable slope per feature (Ramachandran et al. 2017)::

    y = x * sigmoid(beta * x)
    dy/dx    = s + beta * x * s * (1 - s)        with s = sigmoid(beta * x)
    dy/dbeta = x**2 * s * (1 - s)

``SwishFunction`` is written exactly as a ``torch.autograd.Function``: ``forward(ctx, x, beta)``
saves what the backward needs with ``ctx.save_for_backward``; ``backward(ctx, grad_output)``
returns one gradient per input (``beta`` is broadcast over the batch, so its gradient is summed
over the batch). ``LearnableSwish`` owns ``beta`` as an ``nn.Parameter`` (so ``parameters()``,
``state_dict()`` and the optimizer see it). Run::

    python examples/custom_module.py [--epochs 150]

It prints the gradcheck verdict (float64 finite differences against the backward), the largest
difference from the same formula built from lucidnet's own ops, then trains a small network with
the layer on two spirals and prints the test accuracy and how far each ``beta`` moved from 1.
"""

import argparse

import numpy as np

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.autograd import Function


class SwishFunction(Function):
    """y = x * sigmoid(beta * x), beta of shape (features,) broadcast over the rows of x."""

    @staticmethod
    def forward(ctx, x, beta):
        s = ln.sigmoid(beta * x)               # computed without recording a graph
        ctx.save_for_backward(x, beta, s)
        return x * s

    @staticmethod
    def backward(ctx, grad_output):
        x, beta, s = ctx.saved_tensors
        ds = s * (1 - s)                       # sigmoid'(beta * x)
        grad_x = grad_output * (s + beta * x * ds) if ctx.needs_input_grad[0] else None
        grad_beta = (grad_output * x * x * ds).sum(0) if ctx.needs_input_grad[1] else None
        return grad_x, grad_beta


class LearnableSwish(nn.Module):
    """Swish with one learnable slope per feature, initialised to 1: inputs (N, features)."""

    def __init__(self, features: int):
        super().__init__()
        self.features = features
        self.beta = nn.Parameter(ln.ones(features))

    def forward(self, x):
        if x.ndim != 2 or x.shape[1] != self.features:
            raise ValueError(f"LearnableSwish({self.features}) expects inputs of shape "
                             f"(N, {self.features}), got {tuple(x.shape)}")
        return SwishFunction.apply(x, self.beta)

    def extra_repr(self) -> str:
        return f"features={self.features}"


def check_gradients() -> None:
    ln.manual_seed(0)
    x = ln.randn(6, 4, dtype=ln.float64, requires_grad=True)
    beta = ln.tensor(np.linspace(-1.5, 2.0, 4), dtype=ln.float64, requires_grad=True)
    print("gradcheck:", ln.gradcheck(SwishFunction.apply, (x, beta)))

    ours = SwishFunction.apply(x, beta)
    ours.sum().backward()
    grads = x.grad.numpy().copy(), beta.grad.numpy().copy()
    x.grad, beta.grad = None, None
    reference = x * ln.sigmoid(beta * x)        # the same formula from built-in ops
    reference.sum().backward()
    difference = max(np.abs(ours.numpy() - reference.numpy()).max(),
                     np.abs(grads[0] - x.grad.numpy()).max(),
                     np.abs(grads[1] - beta.grad.numpy()).max())
    print(f"largest difference from built-in ops (output and gradients): {difference:.2e}")


def train(epochs: int) -> None:
    data = ln.data.make_spirals(n_samples=400, noise=0.1, seed=0)
    X_train, X_test, y_train, y_test = ln.data.train_test_split(
        data.X, data.y, test_size=0.25, random_state=0, stratify=data.y)
    ln.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 32), LearnableSwish(32), nn.Linear(32, 32),
                          LearnableSwish(32), nn.Linear(32, 2))
    print(model)
    opt = optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()
    inputs, targets = ln.tensor(X_train), ln.tensor(y_train)
    for _epoch in range(epochs):                 # full-batch: forward, loss, backward, update
        loss = loss_fn(model(inputs), targets)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with ln.no_grad():
        predicted = model(ln.tensor(X_test)).numpy().argmax(axis=1)
    print(f"final training loss {loss.item():.4f}")
    print(f"test accuracy: {np.mean(predicted == y_test):.3f}")
    for name, value in model.state_dict().items():
        if name.endswith("beta"):
            moved = np.abs(np.asarray(value) - 1).max()
            print(f"{name}: largest change from 1 = {moved:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=150)
    args = parser.parse_args()
    check_gradients()
    train(args.epochs)


if __name__ == "__main__":
    main()
