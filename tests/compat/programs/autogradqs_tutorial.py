# Written for lucidnet's compat tests; exercises the API of "Automatic Differentiation with torch.autograd" (https://pytorch.org/tutorials/beginner/basics/autogradqs_tutorial.html) in the way that tutorial uses it. Not a copy of it.
import torch

# a single linear layer scored by a logistic loss
features = torch.ones(4)
labels = torch.tensor([1.0, 0.0])
weight = torch.randn(4, 2, requires_grad=True)
bias = torch.randn(2, requires_grad=True)

logits = torch.matmul(features, weight) + bias
loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
print(f"logits made by: {logits.grad_fn}")
print(f"loss made by: {loss.grad_fn}")
print("loss", loss.item())

loss.backward()
print("d loss / d weight:")
print(weight.grad)
print("d loss / d bias:", bias.grad)

# switching gradient tracking off
tracked = torch.matmul(features, weight) + bias
print("tracked:", tracked.requires_grad)
with torch.no_grad():
    untracked = torch.matmul(features, weight) + bias
print("inside no_grad:", untracked.requires_grad)
cut = tracked.detach()
print("detached:", cut.requires_grad, "leaf:", cut.is_leaf)

# a vector-valued output: backward takes the vector v of v^T J
src = torch.eye(3, 4, requires_grad=True)
res = (src * 2 - 1).pow(2).t()
print("output shape", res.shape)
res.backward(torch.ones_like(res), retain_graph=True)
print(f"after one backward\n{src.grad}")
res.backward(torch.ones_like(res), retain_graph=True)
print(f"after two (they add up)\n{src.grad}")
src.grad.zero_()
res.backward(torch.full_like(res, 0.5), retain_graph=True)
print(f"zeroed, then v = 0.5\n{src.grad}")
