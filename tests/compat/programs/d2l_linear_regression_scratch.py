# Written for lucidnet's compat tests; exercises the API of d2l "Linear Regression
# Implementation from Scratch"
# (https://d2l.ai/chapter_linear-regression/linear-regression-scratch.html) in the way that
# tutorial uses it. Not a copy of it.
import random

import torch

w_true = torch.tensor([-1.2, 0.8, 2.5])
b_true = -0.6
X_all = torch.normal(0, 1, (500, 3))
y_all = torch.matmul(X_all, w_true) + b_true
y_all += torch.normal(0, 0.01, y_all.shape)
y_all = y_all.reshape((-1, 1))
print('row 0:', X_all[0], '\ntarget 0:', y_all[0])


def minibatches(size, X, y):
    order = list(range(len(X)))
    random.shuffle(order)
    for start in range(0, len(X), size):
        pick = torch.tensor(order[start:min(start + size, len(X))])
        yield X[pick], y[pick]


for X, y in minibatches(4, X_all, y_all):
    print(X, '\n', y)
    break

w = torch.normal(0, 0.01, size=(3, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)


def model(X):
    return torch.matmul(X, w) + b


def half_square(pred, y):
    return (pred - y.reshape(pred.shape)) ** 2 / 2


def step(params, lr, n):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad / n
            p.grad.zero_()


for epoch in range(3):
    for X, y in minibatches(16, X_all, y_all):
        half_square(model(X), y).sum().backward()
        step([w, b], 0.05, 16)
    with torch.no_grad():
        print(f'epoch {epoch + 1}, mean loss {float(half_square(model(X_all), y_all).mean()):f}')
print(f'w error: {w_true - w.reshape(w_true.shape)}')
print(f'b error: {b_true - b}')
