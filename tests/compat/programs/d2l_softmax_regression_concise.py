# Written for lucidnet's compat tests; exercises the API of d2l "Concise Implementation of
# Softmax Regression" (https://d2l.ai/chapter_linear-classification/softmax-regression-concise.html)
# in the way that tutorial uses it. Not a copy of it.
import d2l_standin as d2l
import torch
from torch import nn

train_iter, test_iter = d2l.load_data_fashion_mnist(128)
classifier = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))


def tiny_normal(m):
    if type(m) == nn.Linear:  # noqa: E721 - the tutorial's test
        nn.init.normal_(m.weight, std=0.01)


classifier.apply(tiny_normal)
per_example = nn.CrossEntropyLoss(reduction='none')
sgd = torch.optim.SGD(classifier.parameters(), lr=0.2)
d2l.train_ch3(classifier, train_iter, test_iter, per_example, 4, sgd)
