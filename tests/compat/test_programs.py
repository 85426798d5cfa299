"""Real PyTorch tutorial programs, run with only their imports changed to lucidnet, print what
PyTorch prints from the same initial weights and data order (see compat_harness for how)."""

import pytest

from tests.compat.compat_harness import PROGRAMS, compare_outputs, run_program

pytest.importorskip("torch")

# program file -> relative tolerance of its printed numbers. Training multiplies float32 rounding
# differences (summation order) step by step; the tolerance is set per program from that growth.
CASES = {
    "polynomial_custom_function.py": 1e-4,  # autograd.Function, in-place updates, grad = None
    "polynomial_nn.py": 1e-4,               # nn.Sequential, Linear, Flatten(0, 1), MSELoss
    "dynamic_net.py": 1e-4,                 # nn.Parameter, Python control flow, SGD momentum
    "buildmodel_tutorial.py": 1e-4,         # Module repr, Softmax(dim), named_parameters
    "quickstart_tutorial.py": 1e-4,         # DataLoader over a Dataset, CrossEntropyLoss, SGD
    "nn_tutorial.py": 1e-3,                 # "What is torch.nn really?": scratch to Conv2d
    "mnist_main.py": 1e-3,                  # pytorch/examples MNIST: Conv2d, Adadelta, StepLR
    "d2l_linear_regression_scratch.py": 1e-4,
    "d2l_linear_regression_concise.py": 1e-4,
}


def test_every_program_is_listed():
    on_disk = {p.name for p in PROGRAMS.glob("*.py")} - {"standins.py"}
    assert on_disk == set(CASES)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_program_prints_what_pytorch_prints(name, tmp_path):
    reference = run_program(name, "torch", tmp_path)
    assert reference.returncode == 0, f"the PyTorch run failed:\n{reference.stderr[-3000:]}"
    ours = run_program(name, "lucidnet", tmp_path)
    assert ours.returncode == 0, (
        f"{name} fails under lucidnet:\n{ours.stderr[-3000:]}\n"
        f"--- printed before failing:\n{ours.stdout[-1500:]}")
    problems = compare_outputs(reference.stdout, ours.stdout, rtol=CASES[name])
    assert not problems, f"{name}: lucidnet prints otherwise than PyTorch:\n" + "\n".join(
        problems[:10])
