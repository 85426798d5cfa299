# Written for lucidnet's compat tests; exercises the API of d2l "Parameter Management"
# (https://d2l.ai/chapter_builders-guide/parameters.html) in the way that tutorial uses it. Not a
# copy of it.
import torch
from torch import nn

X = torch.rand(size=(3, 5))
mlp = nn.Sequential(nn.Linear(5, 6), nn.ReLU(), nn.Linear(6, 2))
print(mlp(X))
print(mlp[2].state_dict())
print(type(mlp[0].weight))
print(mlp[0].bias)
print(mlp[0].bias.data)
print(mlp[0].bias.grad == None)  # noqa: E711 - the tutorial compares to None
print(*[(name, p.shape) for name, p in mlp[2].named_parameters()])
print(*[(name, p.shape) for name, p in mlp.named_parameters()])
print(mlp.state_dict()['0.weight'].data[0])


def unit():
    return nn.Sequential(nn.Linear(5, 5), nn.Tanh())


def stack(n):
    holder = nn.Sequential()
    for k in range(n):
        holder.add_module(f'unit {k}', unit())
    return holder


deep = nn.Sequential(stack(3), nn.Linear(5, 2))
print(deep(X))
print(deep)
print(deep[0][2][0].weight.data[1])


def gaussian(m):
    if type(m) == nn.Linear:  # noqa: E721 - the tutorial's test
        nn.init.normal_(m.weight, mean=0, std=0.05)
        nn.init.zeros_(m.bias)


def sevens(m):
    if type(m) == nn.Linear:  # noqa: E721 - the tutorial's test
        nn.init.constant_(m.weight, 7)
        nn.init.zeros_(m.bias)


mlp.apply(gaussian)
print(mlp[2].weight.data, mlp[2].bias.data)
mlp.apply(sevens)
print(mlp[0].weight.data[1], mlp[0].bias.data[1])


def glorot(m):
    if type(m) == nn.Linear:  # noqa: E721 - the tutorial's test
        nn.init.xavier_uniform_(m.weight)


mlp[0].apply(glorot)


def minus_three(m):
    if type(m) == nn.Linear:  # noqa: E721 - the tutorial's test
        nn.init.constant_(m.weight, -3)


mlp[2].apply(minus_three)
print(mlp[0].weight.data[0])
print(mlp[2].weight.data)


def sparse_uniform(m):
    if type(m) == nn.Linear:  # noqa: E721 - the tutorial's test
        name, p = next(iter(m.named_parameters()))
        print("re-init", name, p.shape)
        nn.init.uniform_(m.weight, -8, 8)
        m.weight.data *= m.weight.data.abs() >= 4


mlp.apply(sparse_uniform)
print(mlp[2].weight[:1])
mlp[2].weight.data[:] -= 2
mlp[2].weight.data[1, 3] = 99
print(mlp[2].weight.data)

tied = nn.Linear(4, 4)
model = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), tied, nn.ReLU(), tied, nn.Linear(4, 1))
print(model(X))
print(model[2].weight.data[1] == model[4].weight.data[1])
model[4].weight.data[1, 2] = -50
print(model[2].weight.data[1] == model[4].weight.data[1])
print(len(list(model.parameters())))
