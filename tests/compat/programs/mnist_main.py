# Written for lucidnet's compat tests; exercises the API of pytorch/examples "mnist"
# (https://github.com/pytorch/examples/blob/main/mnist/main.py) in the way that example uses it.
# Not a copy of it.
import argparse

import numpy
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import Dataset


class Blobs(Dataset):
    """28x28 uint8 pictures of a bright square whose position is the class, on noise."""

    def __init__(self, n, seed, transform=None):
        gen = numpy.random.default_rng(seed)
        self.labels = gen.integers(0, 10, size=n)
        self.pixels = gen.integers(0, 90, size=(n, 28, 28)).astype(numpy.uint8)
        for img, k in zip(self.pixels, self.labels):
            r, c = 3 + 7 * (k // 4), 3 + 6 * (k % 4)
            img[r:r + 6, c:c + 6] = 250
        self.transform = transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        img = self.pixels[i]
        if self.transform is not None:
            img = self.transform(img)
        return img, int(self.labels[i])


def to_normalized_tensor(img, mean=0.2, std=0.3):
    return (torch.from_numpy(img.astype(numpy.float32) / 255.0).unsqueeze(0) - mean) / std


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_a = nn.Conv2d(1, 8, 3, 1)
        self.conv_b = nn.Conv2d(8, 16, 3, 1)
        self.drop_a = nn.Dropout(0.25)
        self.drop_b = nn.Dropout(0.5)
        self.fc_a = nn.Linear(16 * 12 * 12, 64)
        self.fc_b = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.conv_a(x))
        x = F.relu(self.conv_b(x))
        x = self.drop_a(F.max_pool2d(x, 2))
        x = torch.flatten(x, 1)
        x = self.drop_b(F.relu(self.fc_a(x)))
        return F.log_softmax(self.fc_b(x), dim=1)


def run_epoch(opts, model, device, loader, optimizer, epoch):
    model.train()
    for i, (images, labels) in enumerate(loader):
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = F.nll_loss(model(images), labels)
        loss.backward()
        optimizer.step()
        if i % opts.log_interval == 0:
            print(f'epoch {epoch} batch {i}/{len(loader)} '
                  f'seen {i * len(images)}/{len(loader.dataset)} loss {loss.item():.6f}')


def evaluate(model, device, loader):
    model.eval()
    total, right = 0.0, 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            out = model(images)
            total += F.nll_loss(out, labels, reduction='sum').item()
            guess = out.argmax(dim=1, keepdim=True)
            right += guess.eq(labels.view_as(guess)).sum().item()
    n = len(loader.dataset)
    print(f'held out: mean loss {total / n:.4f}, correct {right}/{n} ({100.0 * right / n:.0f}%)')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--test-batch-size', type=int, default=48)
    parser.add_argument('--epochs', type=int, default=2)
    parser.add_argument('--lr', type=float, default=1.0)
    parser.add_argument('--gamma', type=float, default=0.7)
    parser.add_argument('--log-interval', type=int, default=2)
    parser.add_argument('--seed', type=int, default=1)
    opts = parser.parse_args()

    torch.manual_seed(opts.seed)
    device = (torch.accelerator.current_accelerator() if torch.accelerator.is_available()
              else torch.device("cpu"))
    train_loader = torch.utils.data.DataLoader(Blobs(192, 3, to_normalized_tensor),
                                               batch_size=opts.batch_size)
    test_loader = torch.utils.data.DataLoader(Blobs(96, 4, to_normalized_tensor),
                                              batch_size=opts.test_batch_size)
    model = ConvNet().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=opts.lr)
    schedule = StepLR(optimizer, step_size=1, gamma=opts.gamma)
    for epoch in range(1, opts.epochs + 1):
        run_epoch(opts, model, device, train_loader, optimizer, epoch)
        evaluate(model, device, test_loader)
        schedule.step()
        print('lr now', schedule.get_last_lr())


if __name__ == '__main__':
    main()
