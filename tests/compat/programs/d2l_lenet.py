# Written for lucidnet's compat tests; exercises the API of d2l "Convolutional Neural Networks
# (LeNet)" (https://d2l.ai/chapter_convolutional-neural-networks/lenet.html) in the way that
# tutorial uses it. Not a copy of it.
import d2l_standin as d2l
import torch
from torch import nn

lenet = nn.Sequential(
    nn.Conv2d(1, 4, kernel_size=5, padding=2), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Conv2d(4, 8, kernel_size=5), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Flatten(),
    nn.Linear(8 * 5 * 5, 48), nn.Sigmoid(),
    nn.Linear(48, 24), nn.Sigmoid(),
    nn.Linear(24, 10))

probe = torch.rand(size=(2, 1, 28, 28), dtype=torch.float32)
for layer in lenet:
    probe = layer(probe)
    print(f"{layer.__class__.__name__:>10} ->", probe.shape)


def accuracy_on(model, batches, device=None):
    if isinstance(model, nn.Module):
        model.eval()
        if not device:
            device = next(iter(model.parameters())).device
    hits = d2l.Accumulator(2)
    with torch.no_grad():
        for X, y in batches:
            X, y = X.to(device), y.to(device)
            hits.add(d2l.accuracy(model(X), y), d2l.size(y))
    return hits[0] / hits[1]


def fit(model, train_iter, test_iter, epochs, lr, device):
    def xavier(m):
        if type(m) == nn.Linear or type(m) == nn.Conv2d:  # noqa: E721 - the tutorial's test
            nn.init.xavier_uniform_(m.weight)

    model.apply(xavier)
    print('device:', device)
    model.to(device)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss()
    plot = d2l.Animator(legend=['train loss', 'train acc', 'test acc'])
    timer = d2l.Timer()
    steps = len(train_iter)
    for epoch in range(epochs):
        tally = d2l.Accumulator(3)
        model.train()
        for i, (X, y) in enumerate(train_iter):
            timer.start()
            opt.zero_grad()
            X, y = X.to(device), y.to(device)
            logits = model(X)
            loss = criterion(logits, y)
            loss.backward()
            opt.step()
            with torch.no_grad():
                tally.add(loss * X.shape[0], d2l.accuracy(logits, y), X.shape[0])
            timer.stop()
            if (i + 1) % (steps // 2) == 0:
                plot.add(epoch + (i + 1) / steps, (tally[0] / tally[2], tally[1] / tally[2], None))
        held_out = accuracy_on(model, test_iter)
        plot.add(epoch + 1, (None, None, held_out))
    print(f'final: loss {tally[0] / tally[2]:.4f}, train acc {tally[1] / tally[2]:.3f}, '
          f'test acc {held_out:.3f}')


train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size=32)
fit(lenet, train_iter, test_iter, 3, 0.9, d2l.try_gpu())
