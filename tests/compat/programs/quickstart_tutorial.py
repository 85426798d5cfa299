# Written for lucidnet's compat tests; exercises the API of "Quickstart" (https://pytorch.org/tutorials/beginner/basics/quickstart_tutorial.html) in the way that tutorial uses it. Not a copy of it.
import torch
from standins import ToTensor, datasets
from torch import nn
from torch.utils.data import DataLoader

NAMES = ["top", "trouser", "pullover", "dress", "coat",
         "sandal", "shirt", "sneaker", "bag", "boot"]

train_set = datasets.FashionMNIST(root="data", train=True, download=True, transform=ToTensor())
test_set = datasets.FashionMNIST(root="data", train=False, download=True, transform=ToTensor())
train_batches = DataLoader(train_set, batch_size=32)
test_batches = DataLoader(test_set, batch_size=80)

images, labels = next(iter(test_batches))
print("one batch:", images.shape, labels.shape, labels.dtype)

device = "cuda" if torch.cuda.is_available() else "cpu"
print(f"device: {device}")


class Classifier(nn.Module):
    def __init__(self, hidden=96):
        super().__init__()
        self.flat = nn.Flatten()
        self.body = nn.Sequential(
            nn.Linear(784, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden // 2), nn.ReLU(),
            nn.Linear(hidden // 2, 10),
        )

    def forward(self, batch):
        return self.body(self.flat(batch))


net = Classifier().to(device)
print(net)
criterion = nn.CrossEntropyLoss()
sgd = torch.optim.SGD(net.parameters(), lr=0.1)


def fit_one_epoch(loader):
    seen = 0
    for k, (xb, yb) in enumerate(loader):
        xb, yb = xb.to(device), yb.to(device)
        loss = criterion(net(xb), yb)
        sgd.zero_grad()
        loss.backward()
        sgd.step()
        seen += len(xb)
        if k % 4 == 0:
            print(f"  batch {k:2d} loss {loss.item():.6f} ({seen}/{len(loader.dataset)})")


def evaluate(loader):
    net.eval()
    total_loss, hits = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            scores = net(xb)
            total_loss += criterion(scores, yb).item()
            hits += (scores.argmax(1) == yb).type(torch.float).sum().item()
    net.train()
    print(f"  test: {hits:.0f}/{len(loader.dataset)} right, mean loss {total_loss / len(loader):.6f}")


for epoch in range(3):
    print(f"epoch {epoch + 1}")
    fit_one_epoch(train_batches)
    evaluate(test_batches)

net.eval()
for idx in (0, 5):
    picture, truth = test_set[idx]
    with torch.no_grad():
        out = net(picture)
    print(f"sample {idx}: guessed {NAMES[out[0].argmax(0)]}, really {NAMES[truth]}")
