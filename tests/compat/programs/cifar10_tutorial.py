# Written for lucidnet's compat tests; exercises the API of "Training a Classifier" (https://pytorch.org/tutorials/beginner/blitz/cifar10_tutorial.html) in the way that tutorial uses it. Not a copy of it.
import numpy as np
import standins as torchvision
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from standins import plt

tf = torchvision.transforms
prep = tf.Compose([tf.ToTensor(), tf.Normalize((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))])

train_set = torchvision.datasets.CIFAR10(root="./data", train=True, download=True, transform=prep)
test_set = torchvision.datasets.CIFAR10(root="./data", train=False, download=True, transform=prep)
train_loader = torch.utils.data.DataLoader(train_set, batch_size=8, shuffle=True, num_workers=2)
test_loader = torch.utils.data.DataLoader(test_set, batch_size=8, shuffle=False, num_workers=2)
LABELS = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def show(grid):
    arr = (grid * 0.25 + 0.5).numpy()
    plt.imshow(np.transpose(arr, (1, 2, 0)))
    plt.show()


pictures, classes = next(iter(train_loader))
show(torchvision.utils.make_grid(pictures))
print("first batch:", " ".join(LABELS[classes[k]] for k in range(8)))
print("pixel range after Normalize:", round(pictures.min().item(), 4), round(pictures.max().item(), 4))

class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_a = nn.Conv2d(3, 8, 3)
        self.conv_b = nn.Conv2d(8, 12, 3)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc_a = nn.Linear(12 * 6 * 6, 48)
        self.fc_b = nn.Linear(48, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv_a(x)))   # 32 -> 30 -> 15
        x = self.pool(F.relu(self.conv_b(x)))   # 15 -> 13 -> 6
        x = x.view(-1, 12 * 6 * 6)
        return self.fc_b(F.relu(self.fc_a(x)))


model = ConvNet()

loss_fn = nn.CrossEntropyLoss()
opt = optim.SGD(model.parameters(), lr=0.005, momentum=0.9)

for epoch in range(2):
    window = 0.0
    for step, (xb, yb) in enumerate(train_loader, 1):
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        window += loss.item()
        if step % 10 == 0:
            print(f"epoch {epoch} step {step:3d}  mean loss {window / 10:.4f}")
            window = 0.0
print("training done")

pictures, classes = next(iter(test_loader))
show(torchvision.utils.make_grid(pictures))
print("truth:    ", " ".join(f"{LABELS[classes[k]]:>6}" for k in range(8)))
_, guess = torch.max(model(pictures), 1)
print("predicted:", " ".join(f"{LABELS[guess[k]]:>6}" for k in range(8)))

hits, count = 0, 0
per_class_hits = [0.0] * 10
per_class_count = [0.0] * 10
with torch.no_grad():
    for xb, yb in test_loader:
        best, guess = torch.max(model(xb).data, 1)
        count += yb.size(0)
        hits += (guess == yb).sum().item()
        ok = (guess == yb).squeeze()
        for k in range(len(yb)):
            per_class_hits[yb[k]] += ok[k].item()
            per_class_count[yb[k]] += 1
print(f"accuracy on {count} test images: {100 * hits // count} %")
for k, name in enumerate(LABELS):
    print(f"{name:>6}: {per_class_hits[k]:3.0f} of {per_class_count[k]:3.0f}")

where = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
print(where)
