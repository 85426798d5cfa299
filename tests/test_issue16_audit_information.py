"""Issue 16 audit: the information measures refuse a base that is no logarithm base."""

import numpy as np
import pytest

from lucidnet import information as I


@pytest.mark.parametrize("base", [0, 1, -2, float("nan"), True, "2"])
@pytest.mark.parametrize("fn", [lambda b: I.entropy([0.5, 0.5], base=b),
                                lambda b: I.cross_entropy([0.5, 0.5], [0.25, 0.75], base=b),
                                lambda b: I.kl_divergence([0.5, 0.5], [0.25, 0.75], base=b)])
def test_bad_base_is_refused(fn, base):
    # base=0 used to mean nats, base=1 gave inf, a negative base gave a negative entropy
    with pytest.raises(ValueError, match="base must be a positive number other than 1"):
        fn(base)


def test_bits_and_nats():
    assert I.entropy([0.5, 0.5], base=2) == pytest.approx(1.0)
    assert I.entropy([0.5, 0.5]) == pytest.approx(np.log(2))
    assert I.kl_divergence([0.5, 0.5], [0.25, 0.75], base=np.float32(2)) == pytest.approx(
        0.5 * np.log2(2) + 0.5 * np.log2(2 / 3))
