"""Issue 16 audit: dropout and noise on integer inputs raise instead of truncating."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn


@pytest.mark.parametrize("layer, shape", [(nn.Dropout(0.3), (8,)), (nn.Dropout2d(0.3), (2, 3, 4)),
                                          (nn.GaussianNoise(0.4), (6,))])
def test_integer_input_in_training_is_refused(layer, shape):
    x = np.ones(shape, np.int64)
    with pytest.raises(TypeError, match="floating-point input in training mode, got dtype int64"):
        layer(x)   # dropout used to scale by int(1/0.7) = 1; the noise was truncated to 0
    layer.eval()
    np.testing.assert_array_equal(layer(x).data, x)   # evaluation is still the identity


def test_float_dropout_keeps_the_expected_value_and_is_seeded():
    ln.manual_seed(3)
    a = nn.functional.dropout(np.ones(20000, np.float32), 0.3).data
    ln.manual_seed(3)
    b = nn.functional.dropout(np.ones(20000, np.float32), 0.3).data
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) <= {0.0, np.float32(1 / 0.7)}
    assert abs(a.mean() - 1) < 0.03
