# Written for lucidnet's compat tests; exercises the API of "Build the Neural Network" (https://pytorch.org/tutorials/beginner/basics/buildmodel_tutorial.html) in the way that tutorial uses it. Not a copy of it.
import torch
from torch import nn

device = "cuda" if torch.cuda.is_available() else "cpu"
print("running on", device)


class TinyVision(nn.Module):
    def __init__(self, side=12, classes=4):
        super().__init__()
        self.flatten = nn.Flatten()
        self.stack = nn.Sequential(
            nn.Linear(side * side, 32),
            nn.ReLU(),
            nn.Linear(32, 16),
            nn.ReLU(),
            nn.Linear(16, classes),
        )

    def forward(self, pictures):
        return self.stack(self.flatten(pictures))


model = TinyVision().to(device)
print(model)

batch = torch.rand(2, 12, 12, device=device)
scores = model(batch)
probs = nn.Softmax(dim=1)(scores)
print("probabilities:", probs)
print(f"chosen classes: {probs.argmax(1)}")

# the layers one at a time
pics = torch.rand(5, 12, 12)
print("input", pics.size())
flat = nn.Flatten()(pics)
print("flattened", flat.size())
dense = nn.Linear(in_features=144, out_features=6)
pre = dense(flat)
print("dense out", pre.size())
print(f"before the ReLU:\n{pre}")
post = nn.ReLU()(pre)
print(f"after the ReLU:\n{post}")
print("negatives left:", (post < 0).sum().item())

chain = nn.Sequential(nn.Flatten(), dense, nn.ReLU(), nn.Linear(6, 3))
soft = nn.Softmax(dim=1)
p = soft(chain(torch.rand(4, 12, 12)))
print("rows sum to", p.sum(dim=1))
print(p)

print("structure:", model)
for name, w in model.named_parameters():
    print(f"{name}: size {w.size()} requires_grad={w.requires_grad}\n  first rows {w[:2]}")
print("parameter count:", sum(w.numel() for w in model.parameters()))
