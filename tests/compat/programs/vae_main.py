# Written for lucidnet's compat tests; exercises the API of pytorch/examples "vae"
# (https://github.com/pytorch/examples/blob/main/vae/main.py) in the way that example uses it. Not
# a copy of it.
import argparse

import numpy
import torch
import torch.utils.data
from torch import nn, optim
from torch.nn import functional as F

parser = argparse.ArgumentParser()
parser.add_argument('--batch-size', type=int, default=40)
parser.add_argument('--epochs', type=int, default=2)
parser.add_argument('--seed', type=int, default=1)
parser.add_argument('--log-interval', type=int, default=2)
opts = parser.parse_args()
torch.manual_seed(opts.seed)
device = torch.device("cpu")
print(f"device: {device}")


def strokes(n, seed):
    """n images in [0, 1], 1x28x28: a few bright rows and columns each, lightly blurred."""
    gen = numpy.random.default_rng(seed)
    imgs = numpy.zeros((n, 1, 28, 28), dtype=numpy.float32)
    for img in imgs:
        img[0, gen.integers(4, 24, size=2), 4:24] = 1.0
        img[0, 4:24, gen.integers(4, 24)] = 1.0
    imgs = 0.15 + 0.7 * imgs + 0.1 * gen.random(imgs.shape, dtype=numpy.float32)
    return torch.from_numpy(imgs), torch.zeros(n, dtype=torch.long)


train_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*strokes(160, 5)),
                                           batch_size=opts.batch_size, shuffle=True)
test_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*strokes(80, 6)),
                                          batch_size=opts.batch_size, shuffle=False)
LATENT = 6


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(784, 96)
        self.to_mu = nn.Linear(96, LATENT)
        self.to_logvar = nn.Linear(96, LATENT)
        self.dec = nn.Linear(LATENT, 96)
        self.to_pixels = nn.Linear(96, 784)

    def encode(self, x):
        h = F.relu(self.enc(x))
        return self.to_mu(h), self.to_logvar(h)

    def sample(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        return mu + torch.randn_like(std) * std

    def decode(self, z):
        return torch.sigmoid(self.to_pixels(F.relu(self.dec(z))))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        return self.decode(self.sample(mu, logvar)), mu, logvar


model = AutoEncoder().to(device)
optimizer = optim.Adam(model.parameters(), lr=2e-3)


def elbo_loss(recon, x, mu, logvar):
    reconstruction = F.binary_cross_entropy(recon, x.view(-1, 784), reduction='sum')
    divergence = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return reconstruction + divergence


def train(epoch):
    model.train()
    running = 0.0
    for i, (images, _) in enumerate(train_loader):
        images = images.to(device)
        optimizer.zero_grad()
        recon, mu, logvar = model(images)
        loss = elbo_loss(recon, images, mu, logvar)
        loss.backward()
        running += loss.item()
        optimizer.step()
        if i % opts.log_interval == 0:
            print(f'epoch {epoch} batch {i}: loss per image {loss.item() / len(images):.4f}')
    print(f'epoch {epoch}: mean train loss {running / len(train_loader.dataset):.4f}')


def test(epoch):
    model.eval()
    total = 0.0
    with torch.no_grad():
        for i, (images, _) in enumerate(test_loader):
            recon, mu, logvar = model(images.to(device))
            total += elbo_loss(recon, images, mu, logvar).item()
            if i == 0:
                k = min(images.size(0), 4)
                pair = torch.cat([images[:k], recon.view(opts.batch_size, 1, 28, 28)[:k]])
                print('side by side:', pair.shape, f'{pair.mean().item():.5f}')
    print(f'epoch {epoch}: test loss {total / len(test_loader.dataset):.4f}')


if __name__ == "__main__":
    for epoch in range(1, opts.epochs + 1):
        train(epoch)
        test(epoch)
        with torch.no_grad():
            drawn = model.decode(torch.randn(16, LATENT).to(device)).cpu()
            print('samples:', drawn.view(16, 1, 28, 28).shape,
                  f'{drawn.mean().item():.5f} {drawn.std().item():.5f}')
