"""Real PyTorch tutorial programs, run with only their imports changed to lucidnet, print what
PyTorch prints from the same initial weights and data order (see compat_harness for how)."""

import pytest

from tests.compat.compat_harness import PROGRAMS, compare_outputs, rewrite_imports, run_both

# program file -> relative tolerance of its printed numbers. Training multiplies float32 rounding
# differences (summation order) step by step; the tolerance is set per program from that growth.
CASES = {
    "polynomial_custom_function.py": 1e-4,  # autograd.Function, full(()), in-place -=, grad = None
    "polynomial_nn.py": 1e-4,               # nn.Sequential, Linear, Flatten(0, 1), MSELoss
    "dynamic_net.py": 1e-4,                 # nn.Parameter, random depth, SGD momentum
    "buildmodel_tutorial.py": 1e-4,         # Module repr, Softmax(dim), named_parameters
    "quickstart_tutorial.py": 1e-4,         # DataLoader over a Dataset, CrossEntropyLoss, SGD
    "data_tutorial.py": 1e-4,               # Dataset subclass, transforms, randint(size=), shuffle
    "nn_tutorial.py": 1e-3,                 # "What is torch.nn really?": scratch to Conv2d
    "mnist_main.py": 1e-3,                  # pytorch/examples MNIST: Conv2d, Adadelta, StepLR
    "d2l_linear_regression_scratch.py": 1e-4,  # normal, random.shuffle batches, -= under no_grad
    "d2l_linear_regression_concise.py": 1e-4,  # TensorDataset, DataLoader, .data.normal_/fill_
    "autogradqs_tutorial.py": 1e-4,         # grad_fn, backward(gradient, retain_graph), eye, t()
    # autograd.Function with a masked assignment, mm. The loss falls from 2e6 to 2e2 in 150
    # steps: float32 rounding of the early steps grows with every step
    "two_layer_net_custom_function.py": 1e-3,
    "tensorqs_tutorial.py": 1e-4,           # factories, indexing, cat, matmul/mul out=, add_
    "optimization_tutorial.py": 1e-4,       # train()/eval(), CrossEntropyLoss, SGD
    "regression_main.py": 1e-4,             # pytorch/examples: smooth_l1_loss, .data.add_, format
    "vae_main.py": 1e-4,                    # pytorch/examples VAE: randn_like, BCE sum, Adam, cat
    "neural_networks_tutorial.py": 1e-4,    # LeNet, backward(gradient), next_functions, int target
    "cifar10_tutorial.py": 1e-4,            # num_workers=2, Normalize, MaxPool2d, torch.max(x, 1)
    "d2l_softmax_regression_concise.py": 1e-4,  # net.apply(init), reduction='none', train_ch3
    "d2l_model_construction.py": 1e-4,      # Module subclasses, _modules, shared layers, while loop
    "d2l_parameters.py": 1e-4,              # state_dict, named_parameters, add_module, init
    "d2l_custom_layer.py": 1e-4,            # custom Modules, nn.Parameter, FloatTensor
    "d2l_weight_decay.py": 1e-4,            # L2 penalty by hand, SGD parameter groups
    "d2l_dropout.py": 1e-4,                 # dropout from scratch (rand mask) and nn.Dropout
    "d2l_lenet.py": 1e-4,                   # Sigmoid/AvgPool2d LeNet, xavier_uniform_, .to(device)
    "mnist_forward_forward.py": 1e-4,       # pytorch/examples: Linear subclass with its own
                                            # train(), norm(2, 1, keepdim), index assignment
    "dcgan_main.py": 1e-4,                  # pytorch/examples DCGAN: ConvTranspose2d, BatchNorm2d,
                                            # init.normal_, BCELoss, Adam betas, fill_, detach
    "segnet_unpool.py": 1e-4,               # MaxPool2d(return_indices) + MaxUnpool2d, depthwise
                                            # conv with padding_mode, ConvTranspose2d, bilinear
                                            # interpolate, CE ignore_index + weight, RAdam, F.pad
    "embedding_swa.py": 1e-4,               # Embedding(padding_idx, max_norm), Bilinear, PReLU,
}                                           # MultiMarginLoss, ASGD, AveragedModel, SWALR, update_bn


def test_every_program_is_listed():
    on_disk = {p.name for p in PROGRAMS.glob("*.py")} - {"standins.py", "d2l_standin.py"}
    assert on_disk == set(CASES)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_program_prints_what_pytorch_prints(name, tmp_path):
    pytest.importorskip("torch")
    reference, ours = run_both(name, tmp_path)
    assert reference.returncode == 0, f"the PyTorch run failed:\n{reference.stderr[-3000:]}"
    assert ours.returncode == 0, (
        f"{name} fails under lucidnet:\n{ours.stderr[-3000:]}\n"
        f"--- printed before failing:\n{ours.stdout[-1500:]}")
    problems = compare_outputs(reference.stdout, ours.stdout, rtol=CASES[name])
    assert not problems, f"{name}: lucidnet prints otherwise than PyTorch:\n" + "\n".join(
        problems[:10])


# ---------------------------------------------------------------- the harness itself (no torch)

def test_rewrite_imports_changes_only_import_lines():
    source = ("import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
              "from torch import nn, optim\nfrom torch.utils.data import DataLoader\n"
              "    import torch.optim as optim\nx = torch.zeros(3)  # import torch\n")
    assert rewrite_imports(source).splitlines() == [
        "import lucidnet as torch", "import lucidnet.nn as nn",
        "import lucidnet.nn.functional as F", "from lucidnet import nn, optim",
        "from lucidnet.utils.data import DataLoader", "    import lucidnet.optim as optim",
        "x = torch.zeros(3)  # import torch"]


def test_compare_outputs_tolerances():
    assert compare_outputs("loss 2.302585\n", "loss 2.302586\n") == []  # last printed digit
    assert compare_outputs("99 9.003361701965332\n", "99 9.0033617\n", rtol=1e-6) == []
    assert compare_outputs("99 9.00336\n", "99 9.00436\n", rtol=1e-4)  # beyond both
    assert compare_outputs("Accuracy: 129/256\n", "Accuracy: 128/256\n")  # integers exact
    assert compare_outputs("a nan\n", "a nan\n") == []
    assert compare_outputs("a nan\n", "a 1.0\n")
    assert compare_outputs("Predicted: Bag\n", "Predicted: Coat\n")  # words compared
    assert compare_outputs("one\ntwo\n", "one\n")  # a missing line
    assert compare_outputs("Datatype: torch.float32\n", "Datatype: float32\n") == []
    assert compare_outputs("Datatype: torch.float32\n", "Datatype: float64\n")
    assert compare_outputs("<class 'torch.nn.parameter.Parameter'>\n",
                           "<class 'lucidnet.nn.module.Parameter'>\n") == []
    assert compare_outputs("<class 'torch.Tensor'>\n", "<class 'lucidnet.Parameter'>\n")


def test_compare_outputs_reads_tensor_reprs_whatever_their_wrapping():
    torch_text = ("Before: tensor([[ 0.4193,  0.7558],\n        [-0.2524,  0.1202]],"
                  " grad_fn=<AddmmBackward0>)\nShape torch.Size([2, 2])\n")
    ours = "Before: tensor([[ 0.4193,  0.7558], [-0.2524,  0.1203]], grad_fn=<AddBackward>)\n" \
           "Shape (2, 2)\n"
    assert compare_outputs(torch_text, ours) == []
    assert compare_outputs(torch_text, ours.replace("0.1203", "0.1222"))
    assert compare_outputs(torch_text, ours.replace("0.4193,  ", ""))  # a missing entry


def test_a_missed_import_fails_instead_of_running_on_pytorch(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    import tests.compat.compat_harness as harness

    program = tmp_path / "programs"
    program.mkdir()
    (program / "sneaky.py").write_text("import importlib\nimportlib.import_module('torch')\n")
    monkeypatch.setattr(harness, "PROGRAMS", program)
    run = harness.run_program("sneaky.py", "lucidnet", tmp_path)
    assert run.returncode != 0 and "imported 'torch'" in run.stderr
    assert harness.rewrite_imports("import torch  # noqa\n") == "import lucidnet as torch  # noqa\n"
