# %% [markdown]
# # 2. The perceptron, XOR and the MLP
#
# Rosenblatt's perceptron (a step activation and the rule $w \leftarrow w + \eta (y - \hat y) x$)
# learns any linearly separable problem, such as AND and OR. XOR is not linearly separable: no
# line splits its four points, so the perceptron never gets all of them right. One hidden layer
# is enough.

# %%
import matplotlib.pyplot as plt
import numpy as np

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.models import Perceptron

ln.manual_seed(0)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
targets = {"AND": np.array([0, 0, 0, 1]), "OR": np.array([0, 1, 1, 1]),
           "XOR": np.array([0, 1, 1, 0])}
perceptrons = {}
for name, y in targets.items():
    perceptrons[name] = Perceptron(max_epochs=100).fit(X, y)
    print(f"perceptron on {name}: accuracy {perceptrons[name].score(X, y):.2f}")

# %% [markdown]
# An MLP with 8 tanh hidden units, trained with the four visible steps: forward, loss, backward,
# update.

# %%
model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
opt = optim.Adam(model.parameters(), lr=0.05)
inputs = ln.tensor(X.astype(np.float32))
labels = ln.tensor(targets["XOR"].astype(np.float32).reshape(-1, 1))
for _step in range(500):
    loss = nn.functional.binary_cross_entropy_with_logits(model(inputs), labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
with ln.no_grad():
    mlp_pred = (model(inputs).numpy().ravel() > 0).astype(int)
print("MLP on XOR:", mlp_pred, "accuracy", (mlp_pred == targets["XOR"]).mean())

# %% [markdown]
# Decision boundaries: the perceptron's is a line; the MLP's bends around the XOR points.

# %%
grid = np.stack(np.meshgrid(np.linspace(-0.5, 1.5, 150), np.linspace(-0.5, 1.5, 150)), -1)
flat = grid.reshape(-1, 2)
fig, axes = plt.subplots(1, 4, figsize=(13, 3.3))
panels = [(f"perceptron: {n}", perceptrons[n].predict(flat), targets[n]) for n in targets]
with ln.no_grad():
    mlp_grid = (model(ln.tensor(flat.astype(np.float32))).numpy().ravel() > 0).astype(int)
panels.append(("MLP: XOR", mlp_grid, targets["XOR"]))
for ax, (title, pred, y) in zip(axes, panels):
    ax.contourf(grid[..., 0], grid[..., 1], pred.reshape(150, 150), alpha=0.3, cmap="coolwarm")
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", edgecolor="k", s=80)
    ax.set_title(title)
plt.tight_layout()
plt.show()
