# Written for lucidnet's compat tests; exercises the API of "Optimizing Model Parameters" (https://pytorch.org/tutorials/beginner/basics/optimization_tutorial.html) in the way that tutorial uses it. Not a copy of it.
import torch
from standins import ToTensor, datasets
from torch import nn
from torch.utils.data import DataLoader

settings = {"lr": 0.08, "batch": 48, "epochs": 3}

train_loader = DataLoader(datasets.FashionMNIST(root="data", train=True, download=True,
                                                transform=ToTensor()),
                          batch_size=settings["batch"])
check_loader = DataLoader(datasets.FashionMNIST(root="data", train=False, download=True,
                                                transform=ToTensor()),
                          batch_size=settings["batch"])


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.to_vector = nn.Flatten()
        self.layers = nn.Sequential(nn.Linear(28 * 28, 128), nn.ReLU(),
                                    nn.Linear(128, 10))

    def forward(self, x):
        return self.layers(self.to_vector(x))


mlp = Mlp()
loss_of = nn.CrossEntropyLoss()
opt = torch.optim.SGD(mlp.parameters(), lr=settings["lr"])


def run_training(loader):
    mlp.train()
    print("training mode:", mlp.training, mlp.layers[0].training)
    n = len(loader.dataset)
    for i, (x, y) in enumerate(loader):
        loss = loss_of(mlp(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i % 3 == 2:
            done = i * settings["batch"] + len(x)
            print(f"    loss {loss.item():>8.5f}  {done:>4d} of {n}")


def run_check(loader):
    mlp.eval()
    print("training mode:", mlp.training, mlp.layers[0].training)
    losses, right = [], 0
    with torch.no_grad():
        for x, y in loader:
            scores = mlp(x)
            losses.append(loss_of(scores, y).item())
            right += (scores.argmax(1) == y).type(torch.float).sum().item()
    print(f"    accuracy {100 * right / len(loader.dataset):.1f}%, "
          f"mean loss {sum(losses) / len(losses):.6f} over {len(loader)} batches")


for e in range(settings["epochs"]):
    print(f"== epoch {e}")
    run_training(train_loader)
    run_check(check_loader)
print("finished")
