# Written for lucidnet's compat tests: a small SegNet-style encoder-decoder in the way PyTorch users
# write one (max pooling with indices, MaxUnpool2d, depthwise-separable convolutions with padding
# modes, ConvTranspose2d, bilinear interpolation, a per-pixel cross-entropy that ignores a label).
# Our own code, not a copy of any published program.
import torch
import torch.nn as nn
import torch.nn.functional as F


class DepthwiseSeparable(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.depthwise = nn.Conv2d(cin, cin, 3, padding=1, groups=cin, padding_mode='replicate')
        self.pointwise = nn.Conv2d(cin, cout, 1, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.gelu(self.bn(self.pointwise(self.depthwise(x))))


class SegNet(nn.Module):
    def __init__(self, classes=3):
        super().__init__()
        self.stem = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(2, 6, 3), nn.ReLU6())
        self.enc = DepthwiseSeparable(6, 8)
        self.pool = nn.MaxPool2d(2, stride=2, return_indices=True)
        self.mid = nn.Sequential(nn.Conv2d(8, 8, 3, padding='same', dilation=2), nn.SiLU())
        self.unpool = nn.MaxUnpool2d(2, stride=2)
        self.up = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)
        self.head = nn.Conv2d(4 + 8, classes, 1)

    def forward(self, x):
        skip = self.enc(self.stem(x))
        pooled, indices = self.pool(skip)
        y = self.mid(pooled)
        unpooled = self.unpool(y, indices, output_size=skip.size())
        up = F.interpolate(self.up(y), size=skip.shape[-2:], mode='bilinear', align_corners=False)
        return self.head(torch.cat([up, unpooled], dim=1))


net = SegNet()
print(net)

images = torch.rand(6, 2, 8, 8)
labels = (images[:, 0] * 2 + images[:, 1]).floor().long()   # classes 0..2
labels[:, 0, :] = 255                                          # an unlabelled top row
print('label counts', [(labels == c).sum().item() for c in (0, 1, 2, 255)])

pooled, idx = nn.MaxPool2d(2, return_indices=True)(images[:1, :1, :4, :4])
print('indices', idx)
print('unpooled', F.max_unpool2d(pooled, idx, 2))

criterion = nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 1.5]), ignore_index=255,
                                label_smoothing=0.05)
optimizer = torch.optim.RAdam(net.parameters(), lr=0.01, weight_decay=1e-4)
for step in range(8):
    optimizer.zero_grad()
    logits = net(images)
    loss = criterion(logits, labels)
    loss.backward()
    optimizer.step()
    print(f'step {step} loss {loss.item():.6f}')

net.eval()
with torch.no_grad():
    pred = net(images).argmax(dim=1)
    mask = labels != 255
    print('pixel accuracy', (pred[mask] == labels[mask]).float().mean().item())
    print('padded', F.pad(images[0, :1, :2, :3], (1, 2, 1, 0), mode='circular'))
    print('avg ceil', F.avg_pool2d(images[:1, :1, :5, :5], 2, ceil_mode=True))
