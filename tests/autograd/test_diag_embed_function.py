"""DiagEmbed.apply with its default (negative) dims builds the same tensor as diag_embed."""

import numpy as np

import lucidnet as ln
from lucidnet.autograd.ops.indexing import DiagEmbed


def test_default_negative_dims_put_the_last_dim_on_the_last_two():
    a = np.arange(6.0).reshape(2, 3)
    x = ln.tensor(a, requires_grad=True)
    y = DiagEmbed.apply(x)  # dim1=-2, dim2=-1
    assert y.shape == (2, 3, 3)
    np.testing.assert_array_equal(y.data, np.stack([np.diag(row) for row in a]))
    np.testing.assert_array_equal(y.data, x.diag_embed().data)
    (y * ln.tensor(np.arange(18.0).reshape(2, 3, 3))).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0.0, 4.0, 8.0], [9.0, 13.0, 17.0]])


def test_negative_dims_with_offset_match_nonnegative_ones():
    a = np.array([[1.0, 2.0]])
    for d1, d2, shape in [(-3, -1, (3, 1, 3)), (-1, -3, (3, 1, 3)), (0, -2, (3, 3, 1))]:
        got = DiagEmbed.apply(ln.tensor(a), offset=1, dim1=d1, dim2=d2).data
        want = DiagEmbed.apply(ln.tensor(a), offset=1, dim1=d1 % 3, dim2=d2 % 3).data
        np.testing.assert_array_equal(got, want)
        assert got.shape == shape
        assert np.count_nonzero(got) == 2 and got.sum() == 3.0  # both entries, once each
