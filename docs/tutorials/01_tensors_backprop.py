# %% [markdown]
# # 1. Tensors and backpropagation by hand
#
# A `Tensor` holds a NumPy array and remembers the operations that made it. `loss.backward()`
# walks that graph backwards and applies the chain rule. Here we derive one gradient by hand,
# then check it against `.backward()` and against central differences (`gradcheck`).

# %%
import matplotlib.pyplot as plt
import numpy as np

import lucidnet as ln

ln.manual_seed(0)

# %% [markdown]
# A single sigmoid neuron with a squared error: $a = \sigma(w x + b)$, $L = (a - y)^2$.
# The chain rule gives
# $\partial L/\partial w = 2 (a - y) \, \sigma'(z) \, x$ with $\sigma'(z) = \sigma(z)(1 - \sigma(z))$.

# %%
x, y = 1.5, 0.0
w = ln.tensor(0.8, dtype=ln.float64, requires_grad=True)
b = ln.tensor(-0.2, dtype=ln.float64, requires_grad=True)
z = w * x + b
a = ln.sigmoid(z)
loss = (a - y) ** 2
loss.backward()

s = 1 / (1 + np.exp(-(0.8 * x - 0.2)))
by_hand_w = 2 * (s - y) * s * (1 - s) * x
by_hand_b = 2 * (s - y) * s * (1 - s)
print(f"dL/dw by hand {by_hand_w:.10f}   by backward {w.grad.item():.10f}")
print(f"dL/db by hand {by_hand_b:.10f}   by backward {b.grad.item():.10f}")
assert np.isclose(by_hand_w, w.grad.item()) and np.isclose(by_hand_b, b.grad.item())

# %% [markdown]
# Gradients **accumulate**: a second backward adds to `.grad` (that is why training loops call
# `zero_grad()`).

# %%
loss = (ln.sigmoid(w * x + b) - y) ** 2
loss.backward()
print("after a second backward:", w.grad.item(), "= 2 x", by_hand_w)

# %% [markdown]
# `gradcheck` compares the backward pass of any function with central differences
# $(f(\theta + \varepsilon) - f(\theta - \varepsilon)) / 2\varepsilon$, element by element, in float64.

# %%
W = ln.randn(3, 4, dtype=ln.float64, requires_grad=True)
X = ln.randn(5, 4, dtype=ln.float64, requires_grad=True)
print("gradcheck of tanh(X Wᵀ).sum():", ln.gradcheck(lambda X, W: ln.tanh(X @ W.T).sum(), (X, W)))

# %% [markdown]
# The loss as a function of `w`, with the tangent whose slope `.backward()` computed.

# %%
ws = np.linspace(-4, 4, 200)
losses = (1 / (1 + np.exp(-(ws * x - 0.2))) - y) ** 2
loss0 = (s - y) ** 2
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(ws, losses, label="L(w)")
ax.plot(ws, loss0 + by_hand_w * (ws - 0.8), "--", label="tangent at w = 0.8 (slope from backward)")
ax.scatter([0.8], [loss0], color="k", zorder=3)
ax.set_ylim(-0.1, 1.1)
ax.set_xlabel("w")
ax.set_ylabel("loss")
ax.legend()
plt.show()
