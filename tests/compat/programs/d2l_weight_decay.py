# Written for lucidnet's compat tests; exercises the API of d2l "Weight Decay"
# (https://d2l.ai/chapter_linear-regression/weight-decay.html) in the way that tutorial uses it.
# Not a copy of it.
import d2l_standin as d2l
import torch
from torch import nn

N_TRAIN, N_TEST, DIM, BATCH = 16, 64, 120, 4
w_true, b_true = d2l.ones((DIM, 1)) * 0.02, 0.1
train_iter = d2l.load_array(d2l.synthetic_data(w_true, b_true, N_TRAIN), BATCH)
test_iter = d2l.load_array(d2l.synthetic_data(w_true, b_true, N_TEST), BATCH, is_train=False)


def penalty(w):
    return torch.sum(w.pow(2)) / 2


def scratch(lambd, epochs=40, lr=0.005):
    w = torch.normal(0, 1, size=(DIM, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    plot = d2l.Animator(legend=['train', 'test'])
    for epoch in range(epochs):
        for X, y in train_iter:
            objective = d2l.squared_loss(d2l.linreg(X, w, b), y) + lambd * penalty(w)
            objective.sum().backward()
            d2l.sgd([w, b], lr, BATCH)
        if (epoch + 1) % 10 == 0:
            model = lambda X: d2l.linreg(X, w, b)  # noqa: E731
            plot.add(epoch + 1, (d2l.evaluate_loss(model, train_iter, d2l.squared_loss),
                                 d2l.evaluate_loss(model, test_iter, d2l.squared_loss)))
    print('lambda', lambd, '|w| =', torch.norm(w).item())


def concise(decay, epochs=40, lr=0.005):
    model = nn.Sequential(nn.Linear(DIM, 1))
    for p in model.parameters():
        p.data.normal_()
    mse = nn.MSELoss(reduction='none')
    opt = torch.optim.SGD([{"params": model[0].weight, 'weight_decay': decay},
                           {"params": model[0].bias}], lr=lr)
    plot = d2l.Animator(legend=['train', 'test'])
    for epoch in range(epochs):
        for X, y in train_iter:
            opt.zero_grad()
            mse(model(X), y).mean().backward()
            opt.step()
        if (epoch + 1) % 10 == 0:
            plot.add(epoch + 1, (d2l.evaluate_loss(model, train_iter, mse),
                                 d2l.evaluate_loss(model, test_iter, mse)))
    print('wd', decay, '|w| =', model[0].weight.norm().item())
    print([group['weight_decay'] for group in opt.param_groups])


scratch(0)
scratch(4)
concise(0)
concise(4)
