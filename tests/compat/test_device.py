"""Devices, dtype conversions and Module.to against PyTorch (issue 9, item 2).

The CPU is the device: ``lucidnet.device`` behaves as ``torch.device``, CPU-only answers of
``cuda`` / ``accelerator`` / ``backends`` are PyTorch's on a machine without a GPU, and asking
for "cuda" is a clear RuntimeError that names the device-agnostic spelling.
"""

from __future__ import annotations

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn
from tests.compat.op_check import TORCH_ERRORS, both_raise

torch = pytest.importorskip("torch")


def np_dtype(torch_dtype) -> np.dtype:
    return torch.empty(0, dtype=torch_dtype).numpy().dtype


def same(ours, theirs):
    expected = theirs.detach().numpy()
    assert ours.shape == expected.shape and ours.dtype == expected.dtype, (ours.dtype,
                                                                          expected.dtype)
    np.testing.assert_array_equal(ours.data, expected)


# ------------------------------------------------------------------ lucidnet.device
@pytest.mark.parametrize("args", ["'cpu'", "'cpu:0'", "'cpu', 0", "type='cpu'", "'cuda'",
                                  "'cuda:1'", "'cuda', 1", "'mps'", "'meta'",
                                  "'cpu', index=None"])
def test_device_objects_as_torch(args):
    ours = eval(f"ln.device({args})", {"ln": ln})
    theirs = eval(f"torch.device({args})", {"torch": torch})
    assert (str(ours), repr(ours), ours.type, ours.index) == (str(theirs), repr(theirs),
                                                             theirs.type, theirs.index)
    assert ln.device(ours) == ours and hash(ln.device(ours)) == hash(ours)


def test_device_equality_and_hashing_as_torch():
    pairs = [("cpu", "cpu"), ("cpu", "cpu:0"), ("cuda:0", "cuda:0"), ("cpu", "cuda")]
    for a, b in pairs:
        assert (ln.device(a) == ln.device(b)) == (torch.device(a) == torch.device(b))
    assert ln.device("cuda:0") == ln.device("cuda", 0)
    # as in PyTorch a device is not equal to a string: compare its .type
    assert (ln.device("cpu") == "cpu") == (torch.device("cpu") == "cpu") is False
    assert ln.device("cpu").type == "cpu" and str(ln.device("cpu")) == "cpu"
    assert len({ln.device("cpu"), ln.device("cpu"), ln.device("cpu:0")}) == 2


@pytest.mark.parametrize("bad", ["'gpu'", "'CPU'", "' cpu'", "'cpu:-1'", "'cuda:x'", "0",
                                 "'cpu:0', 1", "None", "1.5"])
def test_bad_devices_raise_as_torch(bad):
    err = both_raise(lambda lib: eval(f"lib.device({bad})", {"lib": lib}),
                     (RuntimeError, TypeError))
    assert str(err)


# ------------------------------------------------------------------ tensors and devices
def test_tensor_device_attributes_as_torch():
    ours, theirs = ln.ones(2), torch.ones(2)
    assert ours.device == ln.device("cpu") and str(ours.device) == str(theirs.device) == "cpu"
    assert ours.is_cuda is theirs.is_cuda is False and ours.is_cpu is theirs.is_cpu is True
    assert ours.get_device() == theirs.get_device() == -1
    assert ours.cpu() is ours
    assert ours.to("cpu") is ours and ours.to(ln.device("cpu")) is ours
    assert ours.to(device="cpu") is ours and ours.to("cpu:0").dtype == ln.float32


@pytest.mark.parametrize("call", ["x.to('cuda')", "x.to('cuda:0')", "x.to('mps')", "x.cuda()",
                                  "x.to(ln.device('cuda'))", "x.to(device='cuda')",
                                  "x.to('cuda', ln.float64)", "x.to(0)",
                                  "ln.tensor([1.0], device='cuda')", "ln.zeros(2, device='cuda')",
                                  "ln.ones(2, device=ln.device('cuda', 0))",
                                  "ln.rand(2, device='mps')", "ln.arange(3, device='cuda')",
                                  "ln.zeros_like(x, device='cuda')", "ln.eye(2, device='cuda')",
                                  "ln.randint(0, 2, (2,), device='cuda')",
                                  "x.new_zeros(2, device='cuda')", "x.type('torch.cuda.FloatTensor')"])
def test_asking_for_cuda_is_a_clear_error(call):
    with pytest.raises((RuntimeError, ValueError)) as info:
        eval(call, {"ln": ln, "x": ln.ones(2)})
    assert "CPU only" in str(info.value)


def test_cuda_error_says_how_to_write_device_agnostic_code():
    with pytest.raises(RuntimeError) as info:
        ln.ones(2).to("cuda")
    assert 'device = "cuda" if torch.cuda.is_available() else "cpu"' in str(info.value)


def test_factories_accept_the_cpu_device():
    for device in ("cpu", ln.device("cpu"), "cpu:0", None):
        assert ln.zeros(2, device=device).device == ln.device("cpu")
        assert ln.tensor([1.0], device=device).shape == (1,)
        assert ln.rand(2, device=device).shape == (2,)


def test_bad_device_strings_in_to_raise():
    both_raise(lambda lib: lib.ones(2).to("gpu"), RuntimeError)
    with pytest.raises(RuntimeError, match="lucidnet.float32"):
        ln.ones(2).to("float32")  # a string is a device, as in PyTorch


# ------------------------------------------------------------------ conversions
CONVERSIONS = ["float", "double", "half", "long", "int", "short", "char", "byte", "bool"]
SOURCES = ["lib.tensor([1.5, -2.0, 0.0])", "lib.tensor([1, 0, 3])", "lib.tensor(2.5)",
           "lib.zeros(0, 2)", "lib.tensor([True, False])",
           "lib.tensor([0.5, 2.0], dtype=lib.float64)"]


@pytest.mark.parametrize("src", SOURCES)
@pytest.mark.parametrize("method", CONVERSIONS)
def test_conversion_methods_as_torch(method, src):
    ours = getattr(eval(src, {"lib": ln}), method)()
    theirs = getattr(eval(src, {"lib": torch}), method)()
    same(ours, theirs)


@pytest.mark.parametrize("method, dtype", [("float", "float32"), ("double", "float64"),
                                           ("long", "int64"), ("int", "int32"),
                                           ("bool", "bool"), ("half", "float16")])
def test_conversion_to_the_same_dtype_returns_the_tensor(method, dtype):
    x = ln.zeros(2, dtype=getattr(ln, dtype))
    assert getattr(x, method)() is x and x.to(getattr(ln, dtype)) is x
    assert x.type(getattr(ln, dtype)) is x
    t = torch.zeros(2, dtype=getattr(torch, dtype))
    assert getattr(t, method)() is t


def test_floating_conversions_keep_the_graph():
    for lib in (ln, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.double()
        assert y.requires_grad and y.dtype == lib.float64
        (y * y).sum().backward()
        assert x.grad.dtype == lib.float32
        np.testing.assert_array_equal(np.asarray(x.grad), [2.0, 4.0])
    x = ln.tensor([1.0, 2.0], requires_grad=True, dtype=ln.float64)
    z = x.float().half().double()
    (z * 3).sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad), [3.0, 3.0])


@pytest.mark.parametrize("method", ["long", "int", "bool", "byte", "short"])
def test_conversions_to_integers_leave_the_graph(method):
    x = ln.tensor([1.7, -2.2], requires_grad=True)
    t = torch.tensor([1.7, -2.2], requires_grad=True)
    ours, theirs = getattr(x, method)(), getattr(t, method)()
    assert ours.requires_grad is theirs.requires_grad is False and ours.is_leaf
    same(ours, theirs)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "int16",
                                   "int8", "uint8", "bool", "complex64", "complex128", "uint16"])
def test_type_names_as_torch(dtype):
    ours, theirs = ln.zeros(2, dtype=getattr(ln, dtype)), torch.zeros(2, dtype=getattr(torch, dtype))
    assert ours.type() == theirs.type()
    assert ours.element_size() == theirs.element_size() and ours.itemsize == theirs.itemsize
    assert ours.nbytes == theirs.nbytes
    assert ours.is_floating_point() == theirs.is_floating_point()
    assert ours.is_complex() == theirs.is_complex() and ours.is_signed() == theirs.is_signed()


@pytest.mark.parametrize("arg", ["lib.float64", "'torch.DoubleTensor'", "lib.DoubleTensor",
                                 "'torch.LongTensor'", "lib.int64", "lib.float"])
def test_type_converts_as_torch(arg):
    ours = ln.tensor([1.5, 2.5]).type(eval(arg, {"lib": ln}))
    theirs = torch.tensor([1.5, 2.5]).type(eval(arg, {"lib": torch}))
    same(ours, theirs)
    assert ln.tensor([1.5]).type("lucidnet.DoubleTensor").dtype == ln.float64


def test_type_bad_input():
    both_raise(lambda lib: lib.ones(2).type("float"), ValueError)
    both_raise(lambda lib: lib.ones(2).type("torch.NoSuchTensor"), (ValueError, TypeError))


def test_type_as_and_astype():
    same(ln.tensor([1.5, 2.5]).type_as(ln.tensor([1])),
         torch.tensor([1.5, 2.5]).type_as(torch.tensor([1])))
    x = ln.ones(2)
    assert x.astype(np.float32) is x and x.astype(ln.float64).dtype == ln.float64


TO_CALLS = ["x.to(lib.float64)", "x.to('cpu', lib.float64)", "x.to(i)", "x.to(dtype=lib.int32)",
            "x.to(device='cpu', dtype=lib.float64)", "x.to(lib.float64, non_blocking=True)",
            "x.to(float)", "x.to(int)", "x.to(bool)", "x.to(lib.device('cpu'), lib.int64)",
            "x.to(lib.float64, False, True)", "x.to()", "x.to('cpu', copy=True)",
            "x.to(lib.float32, copy=True)"]


@pytest.mark.parametrize("call", TO_CALLS)
def test_to_forms_as_torch(call):
    env = {"lib": ln, "x": ln.tensor([1.5, -2.5]), "i": ln.tensor([1])}
    ours = eval(call, env)
    theirs = eval(call, {"lib": torch, "x": torch.tensor([1.5, -2.5]), "i": torch.tensor([1])})
    same(ours, theirs)
    assert (ours is env["x"]) == (call in ("x.to()",))


def test_to_copy_makes_a_new_tensor_in_the_graph():
    x = ln.tensor([1.0, 2.0], requires_grad=True)
    y = x.to(ln.float32, copy=True)
    assert y is not x and y.requires_grad and not np.shares_memory(y.data, x.data)
    (y * 2).sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad), [2.0, 2.0])


@pytest.mark.parametrize("call", ["x.to(lib.float32, lib.float64)", "x.to(i, lib.float64)",
                                  "x.to(lib.float64, 'cpu')", "x.to(lib.float64, foo=1)"])
def test_to_bad_arguments_raise_as_torch(call):
    both_raise(lambda lib: eval(call, {"lib": lib, "x": lib.ones(2), "i": lib.ones(1)}),
               TypeError)


def test_bfloat16_is_refused_with_a_hint():
    with pytest.raises(TypeError, match="half"):
        ln.ones(2).bfloat16()
    with pytest.raises(TypeError, match="bfloat16"):
        nn.Linear(2, 2).bfloat16()


# ------------------------------------------------------------------ Module.to and friends
def _pair(seed=0):
    torch.manual_seed(seed)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4),
                                 torch.nn.Linear(4, 2))
    ours = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("call", ["m.to(lib.float64)", "m.double()", "m.float()", "m.half()",
                                  "m.to('cpu')", "m.to('cpu', lib.float64)", "m.cpu()",
                                  "m.to(device='cpu', dtype=lib.float64, non_blocking=True)",
                                  "m.to(lib.ones(1, dtype=lib.float64))", "m.type(lib.float64)",
                                  "m.to()", "m.to(lib.device('cpu'))"])
def test_module_conversions_as_torch(call):
    ours, theirs = _pair()
    assert eval(call, {"lib": ln, "m": ours}) is ours
    eval(call, {"lib": torch, "m": theirs})
    theirs_state = theirs.state_dict()
    for key, value in ours.state_dict().items():
        assert value.dtype == np_dtype(theirs_state[key].dtype), key
        np.testing.assert_array_equal(value, theirs_state[key].numpy())


def test_module_to_keeps_the_parameter_objects_and_the_optimizer_working():
    ours, theirs = _pair(1)
    opt_ours = ln.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9)
    opt_theirs = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    before = list(ours.parameters())
    ours.double()
    theirs.double()
    assert all(a is b for a, b in zip(before, ours.parameters()))
    x = np.random.default_rng(0).normal(size=(8, 3))
    for _ in range(3):
        for model, opt, lib in ((ours, opt_ours, ln), (theirs, opt_theirs, torch)):
            opt.zero_grad()
            loss = (model(lib.tensor(x)) ** 2).mean()
            loss.backward()
            opt.step()
        assert loss.dtype == torch.float64
    for p, q in zip(ours.parameters(), theirs.parameters()):
        assert p.dtype == ln.float64
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_module_to_converts_gradients_and_keeps_integer_buffers():
    ours, _ = _pair()
    ours(ln.ones(4, 3)).sum().backward()
    ours.double()
    for p in ours.parameters():
        assert np.asarray(p.grad).dtype == np.float64
    assert ours[1].num_batches_tracked.dtype == np.int64
    assert ours[1].running_mean.dtype == np.float64


def test_module_to_with_a_tensor_buffer():
    class WithMask(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("mask", ln.ones(2, 2))
            self.register_buffer("index", ln.tensor([0, 1]))

    m = WithMask().double()
    assert m.mask.dtype == ln.float64 and dict(m.named_buffers())["mask"].dtype == ln.float64
    assert m.index.dtype == ln.int64


def test_module_to_bad_input_as_torch():
    both_raise(lambda lib: lib.nn.Linear(2, 2).to(lib.int64), TypeError)
    both_raise(lambda lib: lib.nn.Linear(2, 2).type(lib.int64), RuntimeError)
    both_raise(lambda lib: lib.nn.Linear(2, 2).to(lib.float16, lib.float64), TypeError)
    for call in ("m.to('cuda')", "m.cuda()", "m.to('mps')", "m.to('cuda', ln.float64)"):
        with pytest.raises(RuntimeError, match="CPU only"):
            eval(call, {"ln": ln, "m": nn.Linear(2, 2)})


# ------------------------------------------------------------------ cuda / accelerator / backends
def test_cuda_answers_as_torch_without_a_gpu():
    assert ln.cuda.is_available() is torch.cuda.is_available() is False
    assert ln.cuda.device_count() == torch.cuda.device_count() == 0
    assert ln.cuda.is_initialized() is False
    assert ln.cuda.manual_seed(0) is None and ln.cuda.manual_seed_all(0) is None
    assert ln.cuda.memory_allocated() == torch.cuda.memory_allocated() == 0
    assert ln.cuda.empty_cache() is None
    for name in ("current_device", "synchronize", "get_device_name"):
        with pytest.raises(RuntimeError, match="CPU only"):
            getattr(ln.cuda, name)()
        with pytest.raises(TORCH_ERRORS):
            getattr(torch.cuda, name)()


def test_accelerator_and_the_tutorial_device_line():
    assert ln.accelerator.is_available() is torch.accelerator.is_available() is False
    assert ln.accelerator.current_accelerator() is None
    assert ln.accelerator.device_count() == 0
    lib = ln
    device = (lib.accelerator.current_accelerator().type if lib.accelerator.is_available()
              else "cpu")
    assert device == "cpu"
    device = "cuda" if lib.cuda.is_available() else "cpu"
    model = nn.Linear(2, 1).to(device)
    x = ln.ones(3, 2).to(device)
    assert model(x).shape == (3, 1)


def test_backends_flags():
    assert ln.backends.mps.is_available() is torch.backends.mps.is_available() is False
    assert ln.backends.mps.is_built() is False and ln.backends.cudnn.is_available() is False
    cudnn = ln.backends.cudnn
    saved = cudnn.deterministic, cudnn.benchmark
    try:
        cudnn.deterministic, cudnn.benchmark = True, False
        assert ln.backends.cudnn.deterministic is True and ln.backends.cudnn.benchmark is False
    finally:
        cudnn.deterministic, cudnn.benchmark = saved
    assert ln.backends.cuda.matmul.allow_tf32 is torch.backends.cuda.matmul.allow_tf32
    assert ln.backends.cuda.is_built() is False


# ------------------------------------------------------------------ threads, printing, seeds
def test_set_num_threads_round_trip():
    before = ln.get_num_threads()
    assert isinstance(before, int) and before >= 1
    try:
        ln.set_num_threads(1)
        assert ln.get_num_threads() == 1
    finally:
        ln.set_num_threads(before)
    assert ln.get_num_threads() == before
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="positive integer"):
            ln.set_num_threads(bad)
    ln.set_num_interop_threads(2)
    assert ln.get_num_interop_threads() == 2


def test_set_printoptions_changes_how_tensors_print():
    try:
        ln.set_printoptions(precision=2)
        assert "1.23" in repr(ln.tensor([1.23456])) and "1.2346" not in repr(ln.tensor([1.23456]))
        ln.set_printoptions(profile="full")
        assert "..." not in repr(ln.arange(5000))
        ln.set_printoptions(profile="default", sci_mode=False)
        assert "e-" not in repr(ln.tensor([1e-5, 1.0]))
        ln.set_printoptions(sci_mode=True)
        assert "e+00" in repr(ln.tensor([1.5]))
        with pytest.raises(ValueError, match="profile"):
            ln.set_printoptions(profile="long")
    finally:
        ln.set_printoptions(profile="default")  # (sci_mode back to None too)


def test_manual_seed_returns_a_generator_as_torch():
    g = ln.manual_seed(42)
    assert g is ln.default_generator and g.initial_seed() == 42
    assert torch.manual_seed(42).initial_seed() == 42
    a = ln.rand(3).data
    assert np.array_equal(ln.manual_seed(42).rng.random(3, dtype=np.float32), a)


def test_default_device_and_determinism_switches_as_torch():
    assert ln.get_default_device() == ln.device("cpu") == ln.device(str(torch.get_default_device()))
    ln.set_default_device("cpu")
    with pytest.raises(RuntimeError, match="CPU only"):
        ln.set_default_device("cuda")
    assert ln.are_deterministic_algorithms_enabled() is torch.are_deterministic_algorithms_enabled()
    try:
        ln.use_deterministic_algorithms(True, warn_only=True)
        assert ln.are_deterministic_algorithms_enabled() is True
        assert ln.is_deterministic_algorithms_warn_only_enabled() is True
    finally:
        ln.use_deterministic_algorithms(False)
    assert ln.are_deterministic_algorithms_enabled() is False
    both_raise(lambda lib: lib.use_deterministic_algorithms("yes"), TypeError)
    assert ln.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == "highest"
    try:
        ln.set_float32_matmul_precision("high")
        assert ln.get_float32_matmul_precision() == "high"
    finally:
        ln.set_float32_matmul_precision("highest")
    with pytest.raises(ValueError, match="medium"):
        ln.set_float32_matmul_precision("low")
