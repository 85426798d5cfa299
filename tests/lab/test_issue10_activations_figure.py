"""Issue 10: the lab's activation-family figure (claim 3) and the curves it plots."""

import numpy as np
import pytest

from lucidnet.lab.experiments import activations
from lucidnet.plot._backend import pyplot
from tests.lab.figures import missing_legends

NAMES = ["sigmoid", "tanh", "ReLU", "Leaky ReLU (0.1)", "ELU", "SELU", "GELU", "SiLU / Swish",
         "Softplus", "Mish"]


def test_the_family_lists_the_activations_the_notes_discuss():
    assert [label for label, _ in activations.ACTIVATION_FAMILY] == NAMES


def test_curves_and_slopes_are_the_formulas():
    x = np.array([-3.0, -0.5, 0.5, 2.0])
    curves = activations.activation_curves(x)
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(curves["sigmoid"][1], s * (1 - s), rtol=1e-12)
    np.testing.assert_allclose(curves["SiLU / Swish"][0], x * s, rtol=1e-12)
    np.testing.assert_allclose(curves["SiLU / Swish"][1], s * (1 + x * (1 - s)), rtol=1e-12)
    np.testing.assert_allclose(curves["Softplus"][1], s, rtol=1e-12)
    np.testing.assert_allclose(curves["ELU"][1], np.where(x > 0, 1, np.exp(x)), rtol=1e-12)
    np.testing.assert_allclose(curves["Leaky ReLU (0.1)"][1], np.where(x > 0, 1, 0.1))
    np.testing.assert_array_equal(curves["ReLU"][1], x > 0)


def test_curves_match_pytorch():
    torch = pytest.importorskip("torch")
    x = np.linspace(-5, 5, 41)
    curves = activations.activation_curves(x)
    mods = [torch.nn.Sigmoid(), torch.nn.Tanh(), torch.nn.ReLU(), torch.nn.LeakyReLU(0.1),
            torch.nn.ELU(), torch.nn.SELU(), torch.nn.GELU(), torch.nn.SiLU(),
            torch.nn.Softplus(), torch.nn.Mish()]
    for name, m in zip(NAMES, mods):
        t = torch.tensor(x, requires_grad=True)
        out = m(t)
        out.sum().backward()
        np.testing.assert_allclose(curves[name][0], out.detach().numpy(), rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(curves[name][1], t.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_the_smooth_successors_keep_a_slope_where_sigmoid_saturates():
    curves = activations.activation_curves(np.array([5.0]))
    assert curves["sigmoid"][1][0] < 0.01 and curves["tanh"][1][0] < 0.001
    for name in ("ELU", "GELU", "SiLU / Swish", "Softplus", "Mish"):
        assert curves[name][1][0] > 0.99, name


def test_figure_has_two_panels_and_one_legend_for_all_curves():
    fig = activations.figure_activation_family()
    try:
        assert len(fig.axes) == 2 and fig.get_size_inches()[0] <= 10
        assert not missing_legends(fig)
        assert [t.get_text() for t in fig.legends[0].get_texts()] == NAMES
        for ax in fig.axes:
            assert len(ax.get_lines()) == len(NAMES) + 2  # + the two axis lines
    finally:
        pyplot().close(fig)
