"""`.data` of a Parameter and of a `.grad` takes PyTorch's tensor methods (DataArray)."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn
from lucidnet.autograd.data_array import DataArray


def test_parameter_data_initialised_in_place_as_d2l_does():
    ln.manual_seed(0)
    net = nn.Sequential(nn.Linear(20, 1))
    w = net[0].weight
    before = w.data
    assert w.data.normal_(0, 0.01) is before  # in place, returns the same array
    assert abs(float(np.std(w.data)) - 0.01) < 0.005
    assert net[0].bias.data.fill_(0) is net[0].bias.data
    assert np.all(net[0].bias.data == 0)
    net[0].bias.data.uniform_(-1, 1)
    assert np.all(np.abs(net[0].bias.data) <= 1)
    net[0].bias.data.zero_()
    assert not np.any(net[0].bias.data)


def test_data_methods_stay_out_of_the_graph_and_keep_the_version():
    lin = nn.Linear(3, 2)
    version = lin.weight._version
    lin.weight.data.mul_(2.0).add_(1.0)
    assert lin.weight._version == version  # as PyTorch: .data changes are not tracked
    assert lin.weight.requires_grad and lin.weight.is_leaf


def test_grad_data_zero_and_old_style_update():
    w = nn.Parameter(np.ones((2, 2), np.float32))
    (w * 3).sum().backward()
    assert isinstance(w.grad.data, DataArray)
    w.data -= 0.1 * w.grad.data  # the pre-1.0 tutorials' update
    np.testing.assert_allclose(w.data, 0.7, rtol=1e-6)
    w.grad.data.zero_()
    assert not np.any(w.grad.data)
    (w * 3).sum().backward()  # accumulates into the same zeroed array
    np.testing.assert_allclose(w.grad.data, 3.0)
    assert float(w.grad.data.norm(2).item()) == pytest.approx(6.0)


def test_non_inplace_methods_give_data_arrays_and_numpy_names_stay_numpy():
    w = nn.Parameter(np.arange(6, dtype=np.float32).reshape(2, 3))
    c = w.data.clone()
    assert type(c) is DataArray
    c.add_(1)
    np.testing.assert_allclose(w.data, np.arange(6).reshape(2, 3))  # a real copy
    assert w.data.sum() == 15 and w.data.size == 6  # NumPy's methods win
    assert isinstance(w.data.sum(0), np.ndarray)


def test_subclass_does_not_spread_into_batch_computations():
    lin = nn.Linear(4, 3)
    out = lin(ln.randn(5, 4))
    assert type(out.data) is np.ndarray
    out.sum().backward()
    assert type(lin.weight.grad.data) is DataArray  # its own view, made when .grad is read


def test_masking_data_in_place_as_d2l_does():
    torch = pytest.importorskip("torch")
    values = np.array([[-7.0, 2.0], [6.0, -1.0]], np.float32)
    w, ref = nn.Parameter(values.copy()), torch.nn.Parameter(torch.tensor(values))
    w.data *= w.data.abs() >= 5
    ref.data *= ref.data.abs() >= 5
    np.testing.assert_array_equal(np.asarray(w.data), ref.data.numpy())
    assert type(w.data) is DataArray
    w.data[:] += 1
    w.data[0, 0] = 42
    assert float(w.data[0, 0]) == 42 and float(w.data[1, 0]) == 7


def test_unknown_attribute_says_what_data_is():
    w = nn.Parameter(np.zeros(2, np.float32))
    with pytest.raises(AttributeError, match="`.data` is the tensor's NumPy array"):
        w.data.no_such_method_()


def test_assigning_a_tensor_to_data_then_training():
    torch = pytest.importorskip("torch")
    lin, ref = nn.Linear(2, 1), torch.nn.Linear(2, 1)
    w = np.array([[0.5, -0.25]], np.float32)
    lin.weight.data = ln.tensor(w)
    lin.bias.data = ln.zeros(1)
    ref.weight.data = torch.tensor(w)
    ref.bias.data = torch.zeros(1)
    x = np.array([[1.0, 2.0], [3.0, -1.0]], np.float32)
    opt, ropt = ln.optim.SGD(lin.parameters(), lr=0.1), torch.optim.SGD(ref.parameters(), lr=0.1)
    for _ in range(3):
        for model, o, t in ((lin, opt, ln.tensor), (ref, ropt, torch.tensor)):
            o.zero_grad()
            (model(t(x)) ** 2).mean().backward()
            o.step()
    np.testing.assert_allclose(np.asarray(lin.weight.data), ref.weight.detach().numpy(), rtol=1e-6)


def test_state_dict_save_load_round_trip_keeps_plain_values(tmp_path):
    model = nn.Sequential(nn.Linear(3, 2))
    model[0].weight.data.normal_(0, 1)
    path = tmp_path / "m.npz"
    ln.save(model, path)
    again = ln.load(path)
    np.testing.assert_array_equal(np.asarray(again[0].weight.data), np.asarray(model[0].weight.data))
    again[0].weight.data.zero_()  # a loaded parameter's data takes the methods too
    assert not np.any(again[0].weight.data)


def test_data_prints_as_the_tensor_pytorch_data_is():
    torch = pytest.importorskip("torch")
    b = nn.Parameter(np.array([4.19899], np.float32))
    rb = torch.nn.Parameter(torch.tensor([4.19899]))
    assert str(4.2 - b.data) == str(4.2 - rb.data)
    assert repr(b.data) == repr(rb.data)


def test_legacy_tensor_constructor_as_pytorch():
    torch = pytest.importorskip("torch")
    for args in [(2, 3), (0,), (4,), ([1, 2],), ([1.5, 2.0],), ([[1, 2], [3, 4]],), ((1, 2),), ()]:
        ours, ref = ln.Tensor(*args), torch.Tensor(*args)
        assert tuple(ours.shape) == tuple(ref.shape) and ours.dtype == np.dtype(str(ref.dtype)[6:])
        if args and not isinstance(args[0], int):
            np.testing.assert_array_equal(np.asarray(ours), ref.numpy())
    with pytest.raises(RuntimeError, match="negative dimension"):
        ln.Tensor(2, -1)
    with pytest.raises(TypeError, match="by keyword"):
        ln.Tensor([1.0], 2.0)
    assert ln.Tensor([1.0, 2.0], True).requires_grad  # the older positional flag
    assert ln.Tensor(np.arange(3)).dtype == np.int64  # a NumPy array keeps its dtype
    source = np.zeros(3, np.float32)
    ln.Tensor(source, dtype=np.float32).data[0] = 1.0  # dtype= copies, as before
    assert source[0] == 0.0


def test_state_dict_values_and_elements_print_and_behave_as_pytorch():
    torch = pytest.importorskip("torch")
    values = np.array([[0.5, -1.25], [2.0, 0.0]], np.float32)
    ours, ref = nn.Linear(2, 2), torch.nn.Linear(2, 2)
    ours.weight.data[:] = values
    ref.weight.data[:] = torch.tensor(values)
    assert repr(ours.state_dict()["weight"].data) == repr(ref.state_dict()["weight"].data)
    assert repr(ours.weight.data[0, 1]) == repr(ref.weight.data[0, 1])  # 0-d: tensor(-1.2500)
    assert float(ours.weight.data[1, 0]) == 2.0
    copy = ours.state_dict()["weight"]
    copy[0, 0] = 9.0  # a copy, not the parameter (lucidnet's state_dict copies)
    assert float(ours.weight.data[0, 0]) == 0.5


def test_a_refused_inplace_op_in_the_graph_leaves_the_graph_intact():
    leaf = ln.tensor([0.5, 1.5], requires_grad=True)
    y = leaf.exp()  # saves its output y
    with pytest.raises(ValueError, match="doesn't match"):
        y.add_(ln.ones(3, 2))  # would broadcast y to (3, 2): refused
    ln.zeros(1).add_(1.0)  # an unrelated in-place change moves the in-place clock
    y.sum().backward()  # y was not changed, so its saved output is still good
    np.testing.assert_allclose(np.asarray(leaf.grad), np.exp([0.5, 1.5]), rtol=1e-6)


def test_numpy_of_a_gradient_or_parameter_is_a_plain_ndarray_sharing_memory():
    """``.numpy()`` gives NumPy's own array (it prints as NumPy prints), as in PyTorch, also for a
    gradient or a parameter whose ``.data`` is a DataArray; writes go through to the tensor."""
    p = ln.nn.Parameter(ln.tensor([1.0, 2.0]))
    (p * p).sum().backward()
    for t in (p, p.grad, p.detach(), ln.tensor(3.0)):
        a = t.numpy()
        assert type(a) is np.ndarray
        assert np.shares_memory(a, t.data)
    p.grad.numpy()[0] = 10.0
    assert p.grad.tolist() == [10.0, 4.0]
    assert repr(p.grad.numpy()).startswith("array(")

