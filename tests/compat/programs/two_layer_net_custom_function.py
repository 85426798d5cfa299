# Written for lucidnet's compat tests; exercises the API of "PyTorch: Defining new autograd functions" (https://pytorch.org/tutorials/beginner/examples_autograd/two_layer_net_custom_function.html) in the way that tutorial uses it. Not a copy of it.
import torch


class ClampedRelu(torch.autograd.Function):
    # relu written by hand: forward with clamp, backward zeroes the gradient where input < 0

    @staticmethod
    def forward(ctx, pre):
        ctx.save_for_backward(pre)
        return pre.clamp(min=0)

    @staticmethod
    def backward(ctx, upstream):
        (pre,) = ctx.saved_tensors
        grad = upstream.clone()
        grad[pre < 0] = 0
        return grad


f32 = torch.float
here = torch.device("cpu")
batch, n_in, hidden, n_out = 32, 300, 60, 5

inputs = torch.randn(batch, n_in, device=here, dtype=f32)
targets = torch.randn(batch, n_out, device=here, dtype=f32)
first = torch.randn(n_in, hidden, device=here, dtype=f32, requires_grad=True)
second = torch.randn(hidden, n_out, device=here, dtype=f32, requires_grad=True)
alpha = 2e-6

act = ClampedRelu.apply
for step in range(150):
    pred = act(inputs.mm(first)).mm(second)
    total = (pred - targets).pow(2).sum()
    if step % 10 == 0 or step == 149:
        print("iteration", step, "loss", total.item())
    total.backward()
    with torch.no_grad():
        first -= alpha * first.grad
        second -= alpha * second.grad
        first.grad.zero_()
        second.grad.zero_()
print("grad zeroed:", first.grad.abs().sum().item(), second.grad.abs().sum().item())
