"""Issue 16 audit: Flatten checks end_dim and keeps a zero-size input whose dims are not merged."""

import numpy as np
import pytest

from lucidnet import nn


@pytest.mark.parametrize("start, end", [(0, 3), (1, 5), (0, -4)])
def test_end_dim_out_of_range_is_a_clear_error(start, end):
    with pytest.raises(ValueError, match=r"does not fit an input of shape \(2, 3, 4\)"):
        nn.Flatten(start, end)(np.zeros((2, 3, 4), np.float32))


def test_nothing_to_merge_keeps_the_shape_even_for_zero_size():
    x = np.zeros((2, 0, 3), np.float32)
    assert nn.Flatten(0, 0)(x).shape == (2, 0, 3)      # used to fail inside a reshape
    assert nn.Flatten(1, 1)(np.zeros((2, 3, 4), np.float32)).shape == (2, 3, 4)
    assert nn.Flatten()(x).shape == (2, 0)
