# Written for lucidnet's compat tests; exercises the API of pytorch/examples "dcgan"
# (https://github.com/pytorch/examples/blob/main/dcgan/main.py) in the way that example uses it.
# Not a copy of it.
import argparse
import os
import random

import torch
import torch.backends.cudnn as cudnn
import torch.nn as nn
import torch.nn.parallel
import torch.optim as optim
import torch.utils.data

parser = argparse.ArgumentParser()
parser.add_argument('--batchSize', type=int, default=8)
parser.add_argument('--imageSize', type=int, default=64)
parser.add_argument('--nz', type=int, default=100)
parser.add_argument('--ngf', type=int, default=8)
parser.add_argument('--ndf', type=int, default=8)
parser.add_argument('--niter', type=int, default=2)
parser.add_argument('--lr', type=float, default=0.0002)
parser.add_argument('--beta1', type=float, default=0.5)
parser.add_argument('--workers', type=int, default=2)
parser.add_argument('--ngpu', type=int, default=1)
parser.add_argument('--outf', default='.')
parser.add_argument('--manualSeed', type=int)
opt = parser.parse_args(['--batchSize', '3', '--ngf', '4', '--ndf', '4', '--nz', '16',
                         '--niter', '2', '--workers', '0', '--outf', 'samples'])
print(opt)
os.makedirs(opt.outf, exist_ok=True)
if opt.manualSeed is None:
    opt.manualSeed = random.randint(1, 10000)
print("seed:", opt.manualSeed)
random.seed(opt.manualSeed)
torch.manual_seed(opt.manualSeed)
cudnn.benchmark = True
device = torch.device("cpu")


class NoiseImages(torch.utils.data.Dataset):
    """Like torchvision's FakeData: random 3-channel images in [-1, 1] with a random class."""

    def __init__(self, count, shape):
        self.images = torch.rand(count, *shape) * 2 - 1
        self.classes = torch.randint(0, 10, (count,))

    def __len__(self):
        return len(self.classes)

    def __getitem__(self, i):
        return self.images[i], self.classes[i]


nc, nz, ngf, ndf = 3, int(opt.nz), int(opt.ngf), int(opt.ndf)
dataset = NoiseImages(6, (nc, opt.imageSize, opt.imageSize))
loader = torch.utils.data.DataLoader(dataset, batch_size=opt.batchSize, shuffle=True,
                                     num_workers=int(opt.workers))


def init_dcgan(m):
    kind = m.__class__.__name__
    if kind.find('Conv') != -1:
        torch.nn.init.normal_(m.weight, 0.0, 0.02)
    elif kind.find('BatchNorm') != -1:
        torch.nn.init.normal_(m.weight, 1.0, 0.02)
        torch.nn.init.zeros_(m.bias)


def up(c_in, c_out, stride=2, pad=1):
    return [nn.ConvTranspose2d(c_in, c_out, 4, stride, pad, bias=False), nn.BatchNorm2d(c_out),
            nn.ReLU(True)]


def down(c_in, c_out, norm=True):
    layers = [nn.Conv2d(c_in, c_out, 4, 2, 1, bias=False)]
    if norm:
        layers.append(nn.BatchNorm2d(c_out))
    return layers + [nn.LeakyReLU(0.2, inplace=True)]


class Generator(nn.Module):
    def __init__(self, ngpu):
        super().__init__()
        self.ngpu = ngpu
        self.main = nn.Sequential(*up(nz, ngf * 8, 1, 0), *up(ngf * 8, ngf * 4),
                                  *up(ngf * 4, ngf * 2), *up(ngf * 2, ngf),
                                  nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())

    def forward(self, z):
        if (z.is_cuda or z.is_xpu) and self.ngpu > 1:
            return nn.parallel.data_parallel(self.main, z, range(self.ngpu))
        return self.main(z)


class Discriminator(nn.Module):
    def __init__(self, ngpu):
        super().__init__()
        self.ngpu = ngpu
        self.main = nn.Sequential(*down(nc, ndf, norm=False), *down(ndf, ndf * 2),
                                  *down(ndf * 2, ndf * 4), *down(ndf * 4, ndf * 8),
                                  nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid())

    def forward(self, images):
        if (images.is_cuda or images.is_xpu) and self.ngpu > 1:
            out = nn.parallel.data_parallel(self.main, images, range(self.ngpu))
        else:
            out = self.main(images)
        return out.view(-1, 1).squeeze(1)


netG = Generator(int(opt.ngpu)).to(device)
netG.apply(init_dcgan)
print(netG)
netD = Discriminator(int(opt.ngpu)).to(device)
netD.apply(init_dcgan)
print(netD)
print('parameters:', sum(p.numel() for p in netG.parameters()),
      sum(p.numel() for p in netD.parameters()))

bce = nn.BCELoss()
fixed_noise = torch.randn(opt.batchSize, nz, 1, 1, device=device)
REAL, FAKE = 1, 0
optD = optim.Adam(netD.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))
optG = optim.Adam(netG.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))

for epoch in range(opt.niter):
    for i, batch in enumerate(loader, 0):
        netD.zero_grad()
        real = batch[0].to(device)
        n = real.size(0)
        target = torch.full((n,), REAL, dtype=real.dtype, device=device)
        verdict = netD(real)
        loss_real = bce(verdict, target)
        loss_real.backward()
        d_real = verdict.mean().item()

        fake = netG(torch.randn(n, nz, 1, 1, device=device))
        target.fill_(FAKE)
        verdict = netD(fake.detach())
        loss_fake = bce(verdict, target)
        loss_fake.backward()
        d_fake_before = verdict.mean().item()
        optD.step()

        netG.zero_grad()
        target.fill_(REAL)
        verdict = netD(fake)
        loss_g = bce(verdict, target)
        loss_g.backward()
        d_fake_after = verdict.mean().item()
        optG.step()
        print('[%d/%d][%d/%d] D %.4f G %.4f D(x) %.4f D(G(z)) %.4f -> %.4f'  # noqa: UP031
              % (epoch, opt.niter, i, len(loader), (loss_real + loss_fake).item(),
                 loss_g.item(), d_real, d_fake_before, d_fake_after))
    with torch.no_grad():
        grid = netG(fixed_noise).detach()
    mean_abs = grid.abs().mean().item()
    print('fixed-noise samples', tuple(grid.shape), '%.5f' % mean_abs)  # noqa: UP031
