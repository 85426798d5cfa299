# Written for lucidnet's compat tests; exercises the API of "PyTorch: nn" (https://pytorch.org/tutorials/beginner/examples_nn/polynomial_nn.html) in the way that tutorial uses it. Not a copy of it.
import torch

samples = torch.linspace(-2.0, 2.0, 900)
wanted = torch.tanh(samples) + 0.1 * samples ** 2

powers = torch.tensor([1, 2, 3, 4])
features = samples.unsqueeze(-1).pow(powers)  # (900, 4): x, x^2, x^3, x^4
print("features", tuple(features.shape), features.dtype)

net = torch.nn.Sequential(torch.nn.Linear(4, 1), torch.nn.Flatten(0, 1))
objective = torch.nn.MSELoss(reduction="sum")
lr = 2e-5

for epoch in range(1200):
    out = net(features)
    cost = objective(out, wanted)
    if epoch % 120 == 119:
        print(f"epoch {epoch + 1}: cost {cost.item():.6f}")
    net.zero_grad()
    cost.backward()
    with torch.no_grad():
        for w in net.parameters():
            w -= lr * w.grad

fit = net[0]
terms = [f"{fit.weight[:, k].item():+.5f} x^{k + 1}" for k in range(4)]
print(f"y ~ {fit.bias.item():.5f} " + " ".join(terms))
