"""Identity transforms, the background fill and per-sample randomness of the augmentations."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from lucidnet.data import Compose, RandomCrop, RandomRotation, RandomZoom, build_augmentation
from lucidnet.data.augment import affine_resample, pad_images


def _standardized_digits(n=40):
    """Digits scaled like the CLI does it: one global mean/std, so black is -mean/std, not 0."""
    X = load_digits().images[:n].astype(np.float32)
    return (X - X.mean()) / X.std(), float(-X.mean() / X.std())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("fill", ["min", "edge", 0.0])
def test_identity_transforms_return_the_input_exactly(dtype, mode, fill):
    x = np.random.default_rng(0).standard_normal((5, 2, 8, 7)).astype(dtype)
    for t in (RandomRotation(0, mode=mode, fill=fill, seed=1),
              RandomZoom((1.0, 1.0), mode=mode, fill=fill, seed=1),
              RandomCrop(fill=fill, seed=1)):
        out = t(x)
        assert out.dtype == x.dtype and np.array_equal(out, x), t
        assert np.array_equal(t(x[:, 0]), x[:, 0])  # (N, H, W) input
    eye = np.broadcast_to(np.eye(2), (5, 2, 2))
    assert np.array_equal(affine_resample(x, eye, mode, fill), x)
    # flat MLP batches through Compose(image_shape=...)
    flat = x[:, :1].reshape(5, -1)
    ident = build_augmentation("rotate=0,zoom=1:1,crop=0", seed=0, image_shape=(1, 8, 7))
    assert np.array_equal(ident(flat), flat)


def test_pad_images_fill_options():
    x = np.arange(2 * 2 * 3 * 3, dtype=np.float64).reshape(2, 2, 3, 3) - 5.0
    m = pad_images(x, 2, "min")
    assert m.shape == (2, 2, 7, 7) and np.array_equal(m[:, :, 2:5, 2:5], x)
    for n in range(2):
        for c in range(2):  # every image and channel is framed by its own minimum
            assert set(np.unique(np.delete(m[n, c].ravel(), [i * 7 + j for i in range(2, 5)
                                                              for j in range(2, 5)]))) == \
                {x[n, c].min()}
    np.testing.assert_array_equal(pad_images(x, 1, "edge"),
                                  np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), mode="edge"))
    np.testing.assert_array_equal(pad_images(x, 1, -3.5),
                                  np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=-3.5))


def test_default_fill_is_the_background_of_standardized_digits():
    """Zoom-out, rotation and crop borders get black (-mean/std), never grey 0."""
    z, black = _standardized_digits()
    assert black < -0.5
    aug = build_augmentation("crop=2,rotate=30,zoom=0.6:0.7", seed=0)
    out = aug(z)
    # bilinear weights are convex and the fill is each image's minimum: nothing below black;
    # a 0.6-0.7 zoom-out maps the corners (radius 4.95) beyond radius 7 of the source: off-image
    assert out.min() >= black - 1e-6
    corners = out[:, [0, 0, -1, -1], [0, -1, 0, -1]]
    np.testing.assert_allclose(corners, black, atol=1e-6)
    # the old constant fill=0 paints a grey frame: that is what the default avoids
    grey = RandomZoom((0.7, 0.7), fill=0.0, seed=0)(z)
    assert np.allclose(grey[:, 0, 0], 0.0)
    np.testing.assert_allclose(RandomZoom((0.7, 0.7), seed=0)(z)[:, 0, 0], black, atol=1e-6)


def test_edge_fill_repeats_the_border():
    x = np.zeros((1, 1, 5, 5))
    x[0, 0, :, 0] = 2.0  # a bright left column
    out = RandomZoom((0.5, 0.5), fill="edge", seed=0)(x)
    assert np.all(out[0, 0, :, 0] == 2.0) and np.all(out[0, 0, :, -1] == 0.0)


def test_random_parameters_are_drawn_per_image():
    z, _ = _standardized_digits(1)
    batch = np.repeat(z, 64, axis=0)  # 64 copies of the same image
    for t in (RandomCrop(padding=1, seed=3), RandomRotation(15, seed=3),
              RandomZoom((0.8, 1.2), seed=3)):
        out = t(batch).reshape(64, -1)
        distinct = len({o.tobytes() for o in out})
        assert distinct > (8 if isinstance(t, RandomCrop) else 60), (t, distinct)
    # crop=1 has 9 shifts: all of them occur among 64 copies
    out = RandomCrop(padding=1, fill=-9.0, seed=3)(batch)
    shifts = {(int((o[:, 0] == -9).all()) - int((o[:, -1] == -9).all()),
               int((o[0] == -9).all()) - int((o[-1] == -9).all())) for o in out}
    assert shifts == {(a, b) for a in (-1, 0, 1) for b in (-1, 0, 1)}


def test_flat_batches_get_per_image_fill():
    z, black = _standardized_digits(10)
    flat = z.reshape(10, -1)
    out = Compose([RandomZoom((0.6, 0.6), seed=0)], image_shape=(1, 8, 8))(flat)
    assert out.shape == flat.shape
    np.testing.assert_allclose(out.reshape(10, 8, 8)[:, 0], black, atol=1e-6)


@pytest.mark.parametrize("fill,exc", [("grey", ValueError), (None, TypeError),
                                      (True, TypeError), (float("nan"), ValueError)])
def test_bad_fill_is_rejected(fill, exc):
    for cls in (RandomRotation, RandomCrop):
        with pytest.raises(exc, match="fill"):
            cls(10, fill=fill) if cls is RandomRotation else cls(padding=1, fill=fill)
    with pytest.raises(exc, match="fill"):
        pad_images(np.zeros((1, 1, 2, 2)), 1, fill)
