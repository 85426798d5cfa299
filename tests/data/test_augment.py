import json

import numpy as np
import pytest

from lucidnet.data import (
    AUGMENTATIONS,
    ColorJitter,
    Compose,
    DataLoader,
    GaussianNoise,
    RandomCrop,
    RandomHorizontalFlip,
    RandomRotation,
    RandomScale,
    RandomVerticalFlip,
    RandomZoom,
    build_augmentation,
)
from lucidnet.data.augment import affine_resample


def _images(n=6, c=2, h=7, w=7, seed=0):
    return np.random.default_rng(seed).random((n, c, h, w)).astype(np.float32)


def test_rotation_by_90_equals_rot90_and_zero_is_identity():
    x = _images()
    rot = RandomRotation((90, 90), seed=0)(x)
    np.testing.assert_allclose(rot, np.rot90(x, k=1, axes=(2, 3)), atol=1e-5)
    for mode in ("bilinear", "nearest"):
        np.testing.assert_allclose(RandomRotation(0, mode=mode, seed=0)(x), x, atol=1e-6)
    assert rot.dtype == np.float32 and rot.shape == x.shape


def test_rotation_matches_per_image_reference():
    """The batched warp equals a slow per-pixel bilinear reference for each sample's own angle."""
    x = _images(n=3, c=1, h=5, w=6, seed=1).astype(np.float64)
    t = RandomRotation(30, fill=0.0, seed=4)  # the reference reads 0 off the image
    angles = np.deg2rad(np.random.default_rng(4).uniform(-30, 30, 3))
    out = t(x)
    h, w = 5, 6
    cy, cx = (h - 1) / 2, (w - 1) / 2
    for n, a in enumerate(angles):
        ref = np.zeros((h, w))
        for i in range(h):
            for j in range(w):
                dy, dx = i - cy, j - cx
                sy = np.cos(a) * dy + np.sin(a) * dx + cy
                sx = -np.sin(a) * dy + np.cos(a) * dx + cx
                y0, x0 = int(np.floor(sy)), int(np.floor(sx))
                for yy, wy in ((y0, 1 - (sy - y0)), (y0 + 1, sy - y0)):
                    for xx, wx in ((x0, 1 - (sx - x0)), (x0 + 1, sx - x0)):
                        if 0 <= yy < h and 0 <= xx < w:
                            ref[i, j] += wy * wx * x[n, 0, yy, xx]
        np.testing.assert_allclose(out[n, 0], ref, atol=1e-12)


def test_zoom_and_fill():
    x = np.ones((2, 1, 9, 9))
    out = RandomZoom((0.5, 0.5), fill=-1.0, seed=0)(x)  # zoom out: border gets the fill value
    assert out[0, 0, 0, 0] == -1.0 and out[0, 0, 4, 4] == 1.0
    zin = RandomZoom((2.0, 2.0), mode="nearest", seed=0)(_images(1, 1, 9, 9))
    assert np.isfinite(zin).all()
    assert RandomScale is RandomZoom
    # zooming in by 2 about the centre maps output pixel (4 +/- 2k) to input (4 +/- k)
    src = _images(1, 1, 9, 9)
    np.testing.assert_allclose(RandomZoom((2.0, 2.0), seed=0)(src)[0, 0, ::2, ::2],
                               src[0, 0, 2:7, 2:7], atol=1e-6)


def test_flips_per_sample_probability():
    x = _images(n=400, c=1, h=3, w=4)
    hf = RandomHorizontalFlip(0.5, seed=1)(x)
    flipped = np.all(hf == x[..., ::-1], axis=(1, 2, 3))
    same = np.all(hf == x, axis=(1, 2, 3))
    assert np.all(flipped | same) and 150 < flipped.sum() < 250
    np.testing.assert_array_equal(RandomVerticalFlip(1.0, seed=0)(x), x[:, :, ::-1, :])
    np.testing.assert_array_equal(RandomHorizontalFlip(0.0, seed=0)(x), x)
    with pytest.raises(ValueError, match="probability"):
        RandomHorizontalFlip(1.5)


def test_color_jitter_ranges():
    x = _images(n=50).astype(np.float64)
    b = ColorJitter(brightness=0.3, seed=0)(x)
    ratio = (b / x).reshape(50, -1)
    np.testing.assert_allclose(ratio.std(1), 0, atol=1e-5)   # one factor per image
    assert np.all((ratio[:, 0] >= 0.7 - 1e-6) & (ratio[:, 0] <= 1.3 + 1e-6))
    c = ColorJitter(contrast=0.5, seed=0)(x)
    np.testing.assert_allclose(c.reshape(50, -1).mean(1), x.reshape(50, -1).mean(1), atol=1e-5)
    spread = c.reshape(50, -1).std(1) / x.reshape(50, -1).std(1)
    assert np.all((spread >= 0.5 - 1e-5) & (spread <= 1.5 + 1e-5))
    clipped = ColorJitter(2.0, clip=(0.0, 1.0), seed=0)(x)
    assert clipped.min() >= 0.0 and clipped.max() <= 1.0


def test_random_crop_is_a_shifted_window_of_the_padded_image():
    x = _images(n=20, c=3, h=6, w=5)
    out = RandomCrop(padding=2, fill=0.0, seed=0)(x)
    assert out.shape == x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)))
    for n in range(20):
        hits = [(i, j) for i in range(5) for j in range(5)
                if np.array_equal(padded[n, :, i:i + 6, j:j + 5], out[n])]
        assert hits
    small = RandomCrop(size=(3, 4), seed=0)(x[:, 0])  # (N, H, W) input
    assert small.shape == (20, 3, 4)
    with pytest.raises(ValueError, match="exceeds the padded image"):
        RandomCrop(size=10)(x)


def test_gaussian_noise_statistics_and_dtype():
    x = np.zeros((200, 50), np.float32)
    out = GaussianNoise(0.2, seed=0)(x)
    assert out.dtype == np.float32
    assert abs(out.std() - 0.2) < 0.01 and abs(out.mean()) < 0.01


@pytest.mark.parametrize("make", [
    lambda s: RandomRotation(20, seed=s), lambda s: RandomZoom(0.2, seed=s),
    lambda s: RandomHorizontalFlip(seed=s), lambda s: ColorJitter(0.2, 0.2, seed=s),
    lambda s: RandomCrop(padding=1, seed=s), lambda s: GaussianNoise(0.1, seed=s),
])
def test_every_transform_is_seeded_and_checkpointable(make):
    x = _images()
    np.testing.assert_array_equal(make(3)(x), make(3)(x))
    assert not np.array_equal(make(3)(x), make(4)(x))
    t = make(3)
    t(x)
    state = json.loads(json.dumps(t.state_dict()))
    expected = t(x)
    t2 = make(99)
    t2.load_state_dict(state)
    np.testing.assert_array_equal(t2(x), expected)


def test_build_augmentation_parses_grammar():
    aug = build_augmentation("rotate=15, flip, crop=2, noise=0.1, zoom=0.9:1.2, jitter=0.2:0.3, "
                             "vflip=0.2", seed=0)
    types = [type(t).__name__ for t in aug.transforms]
    assert types == ["RandomRotation", "RandomHorizontalFlip", "RandomCrop", "GaussianNoise",
                     "RandomZoom", "ColorJitter", "RandomVerticalFlip"]
    assert aug.transforms[0].degrees == (-15.0, 15.0)
    assert aug.transforms[1].p == 0.5 and aug.transforms[2].padding == 2
    assert aug.transforms[4].scale == (0.9, 1.2)
    assert (aug.transforms[5].brightness, aug.transforms[5].contrast) == (0.2, 0.3)
    x = _images()
    np.testing.assert_array_equal(aug(x), build_augmentation(
        "rotate=15,flip,crop=2,noise=0.1,zoom=0.9:1.2,jitter=0.2:0.3,vflip=0.2", seed=0)(x))
    assert len(build_augmentation("")) == 0 and len(build_augmentation("none")) == 0
    np.testing.assert_array_equal(build_augmentation(None)(x), x)


@pytest.mark.parametrize("spec, match", [
    ("rotate=15,blur=3", "unknown augmentation 'blur'.*valid names: rotate, flip"),
    ("rotate=abc", "values must be numbers; usage: rotate=DEG"),
    ("noise=0.1:0.2", "takes 1 value"),
    ("crop=1.5", "integers"),
    ("flip=2", "probability"),
    ("zoom=-0.5:1", "scale factors must be > 0"),
])
def test_build_augmentation_errors(spec, match):
    with pytest.raises(ValueError, match=match):
        build_augmentation(spec)


def test_compose_on_flat_batches_through_the_loader():
    X = _images(n=10, c=1, h=8, w=8).reshape(10, 64)
    aug = build_augmentation("flip=1", seed=0, image_shape=(1, 8, 8))
    loader = DataLoader(X, np.arange(10), batch_size=4, transform=aug)
    out = np.concatenate([xb for xb, _ in loader])
    np.testing.assert_array_equal(out, X.reshape(10, 1, 8, 8)[..., ::-1].reshape(10, 64))
    with pytest.raises(ValueError, match="does not match image_shape"):
        aug(np.zeros((2, 10), np.float32))
    assert set(AUGMENTATIONS) >= {"rotate", "flip", "vflip", "zoom", "jitter", "crop", "noise"}


def test_input_validation():
    with pytest.raises(TypeError, match="floating batch"):
        RandomRotation(10)(np.zeros((2, 3, 3), np.uint8))
    with pytest.raises(ValueError, match=r"images \(N, C, H, W\) or \(N, H, W\)"):
        RandomRotation(10)(np.zeros((2, 9)))
    with pytest.raises(ValueError, match="mode must be"):
        RandomRotation(10, mode="cubic")
    with pytest.raises(ValueError, match="mode must be"):
        affine_resample(np.zeros((1, 1, 2, 2)), np.eye(2)[None], mode="cubic")
    with pytest.raises(ValueError, match="std must be"):
        GaussianNoise(-1)
    with pytest.raises(ValueError, match="padding must be"):
        RandomCrop(padding=-1)
    with pytest.raises(TypeError, match="Compose expects callables"):
        Compose([1])
