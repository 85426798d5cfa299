# Written for lucidnet's compat tests; exercises the API of d2l "Concise Implementation of
# Linear Regression" (https://d2l.ai/chapter_linear-regression/linear-regression-concise.html) in
# the way that tutorial uses it. Not a copy of it.
import torch
from torch import nn
from torch.utils import data

w_true = torch.tensor([1.5, -2.0, 0.7])
b_true = 3.1
inputs = torch.normal(0, 1, (600, 3))
targets = torch.matmul(inputs, w_true) + b_true
targets += torch.normal(0, 0.01, targets.shape)
targets = targets.reshape((-1, 1))


def batches(arrays, batch_size, shuffle=True):
    return data.DataLoader(data.TensorDataset(*arrays), batch_size, shuffle=shuffle)


loader = batches((inputs, targets), 12)
first_x, first_y = next(iter(loader))
print("first batch:", first_x.shape, first_y.shape)
print(first_y[:3])

model = nn.Sequential(nn.Linear(3, 1))
model[0].weight.data.normal_(0, 0.01)
model[0].bias.data.fill_(0)
mse = nn.MSELoss()
opt = torch.optim.SGD(model.parameters(), lr=0.02)
for epoch in range(4):
    for X, y in loader:
        loss = mse(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    full = mse(model(inputs), targets)
    print(f'epoch {epoch}: loss {full:f}')

learned_w = model[0].weight.data
print('w error:', w_true - learned_w.reshape(w_true.shape))
print('b error:', b_true - model[0].bias.data)
