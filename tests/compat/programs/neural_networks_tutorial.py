# Written for lucidnet's compat tests; exercises the API of "Neural Networks" (https://pytorch.org/tutorials/beginner/blitz/neural_networks_tutorial.html) in the way that tutorial uses it. Not a copy of it.
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class SmallLeNet(nn.Module):
    # two conv + pool stages on a 1x20x20 image, then three dense layers

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 4, 3)
        self.c2 = nn.Conv2d(4, 8, 3)
        self.d1 = nn.Linear(8 * 3 * 3, 40)
        self.d2 = nn.Linear(40, 20)
        self.d3 = nn.Linear(20, 6)

    def forward(self, img):
        img = F.max_pool2d(F.relu(self.c1(img)), (2, 2))
        img = F.max_pool2d(F.relu(self.c2(img)), 2)
        img = img.view(-1, self.flat_size(img))
        img = F.relu(self.d1(img))
        img = F.relu(self.d2(img))
        return self.d3(img)

    @staticmethod
    def flat_size(t):
        n = 1
        for extent in t.size()[1:]:
            n *= extent
        return n


lenet = SmallLeNet()
print(lenet)
weights = list(lenet.parameters())
print("tensors of parameters:", len(weights), "first:", weights[0].size())

sample = torch.randn(2, 1, 20, 20)
out = lenet(sample)
print("output:", out)

# backward with an explicit upstream gradient on a non-scalar output
lenet.zero_grad()
out.backward(torch.randn(2, 6))
print("d1 weight grad norm:", lenet.d1.weight.grad.norm().item())

goal = torch.arange(6, 0, -1)        # integers: the loss must turn them to the output's dtype
goal = goal.view(1, -1).expand(2, 6)
mse = nn.MSELoss()
err = mse(lenet(sample), goal)
print("loss:", err)

# walk the graph back from the loss
node = err.grad_fn
print("loss node:", node)
node = node.next_functions[0][0]
print("its input's node (Backward):", node)
print("and that one's first input:", node.next_functions[0][0])

lenet.zero_grad()
print("c2 bias grad after zero_grad:", lenet.c2.bias.grad)
err.backward()
print("c2 bias grad after backward:", lenet.c2.bias.grad)

sgd = optim.SGD(lenet.parameters(), lr=0.02)
for step in range(5):
    sgd.zero_grad()
    err = mse(lenet(sample), goal)
    err.backward()
    sgd.step()
    print(f"step {step}: {err.item():.6f}")
print("after training:", lenet(sample))
