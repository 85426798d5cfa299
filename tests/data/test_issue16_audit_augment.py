"""Issue 16 audit: flips refuse flat images; ColorJitter takes an empty batch."""

import numpy as np
import pytest

from lucidnet.data.augment import ColorJitter, Compose, RandomHorizontalFlip


def test_horizontal_flip_refuses_a_flat_batch_instead_of_turning_it_180_degrees():
    img = np.arange(9, dtype=np.float32).reshape(1, 3, 3)
    with pytest.raises(ValueError, match=r"at least 3 dims.*image_shape=\(C, H, W\)"):
        RandomHorizontalFlip(1.0, seed=0)(img.reshape(1, 9))
    flat = Compose([RandomHorizontalFlip(1.0, seed=0)], image_shape=(1, 3, 3))(img.reshape(1, 9))
    np.testing.assert_array_equal(flat.reshape(3, 3), img[0, :, ::-1])   # a mirror, not 180°


def test_color_jitter_on_an_empty_batch():
    x = np.zeros((0, 1, 4, 4), np.float32)
    out = ColorJitter(0.2, 0.2, seed=0)(x)     # used to fail inside a reshape
    assert out.shape == x.shape and out.dtype == x.dtype
