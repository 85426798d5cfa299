"""Issue 16 audit: initializers follow torch.nn.init on the corners that used to go wrong."""

import math

import numpy as np
import pytest

from lucidnet.nn import init


@pytest.mark.parametrize("name", ["conv_transpose1d", "conv_transpose2d", "conv_transpose3d"])
def test_conv_transpose_gain_is_one(name):
    assert init.calculate_gain(name) == 1.0


@pytest.mark.parametrize("param", [True, "0.2", [0.2]])
def test_leaky_relu_gain_refuses_a_slope_that_is_not_a_number(param):
    # True used to be taken as slope 1.0 (gain 1); PyTorch raises
    with pytest.raises(ValueError, match="negative_slope .* is not a valid number"):
        init.calculate_gain("leaky_relu", param)


def test_leaky_relu_gain_values():
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert init.calculate_gain("leaky_relu", 0) == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu", np.float32(0.2)) == pytest.approx(
        math.sqrt(2 / 1.04), rel=1e-6)


@pytest.mark.parametrize("shape", [(5, 0), (0, 0), (4, 3, 0, 2)])
@pytest.mark.parametrize("fn", [init.kaiming_uniform_, init.kaiming_normal_, init.he_normal_])
def test_kaiming_on_a_zero_element_tensor_is_a_no_op(fn, shape):
    a = np.zeros(shape, np.float32)
    assert fn(a) is a            # used to raise ZeroDivisionError


@pytest.mark.parametrize("fn", [init.normal_, init.uniform_, init.xavier_uniform_,
                                init.kaiming_normal_, init.small_normal_])
def test_random_init_of_an_integer_array_is_refused_not_truncated(fn):
    a = np.zeros((3, 3), np.int64)
    with pytest.raises(TypeError, match="floating-point tensor, got dtype int64"):
        fn(a)
    assert not a.any()


def test_constant_init_of_an_integer_array_still_works():
    a = np.zeros(3, np.int64)
    init.constant_(a, 4)
    np.testing.assert_array_equal(a, 4)


def test_kaiming_fan_of_a_conv_weight():
    a = np.zeros((64, 16, 3, 3))
    init.kaiming_normal_(a, mode="fan_out", nonlinearity="relu", generator=np.random.default_rng(0))
    assert a.std() == pytest.approx(math.sqrt(2 / (64 * 9)), rel=0.03)
    init.kaiming_uniform_(a, a=0.5, mode="fan_in", generator=np.random.default_rng(0))
    bound = math.sqrt(2 / 1.25) * math.sqrt(3 / (16 * 9))
    assert np.abs(a).max() <= bound and np.abs(a).max() > 0.99 * bound
