import numpy as np
import pytest

from lucidnet.data import (
    MinMaxScaler,
    PCAWhitening,
    StandardScaler,
    ZCAWhitening,
    ZeroCenterer,
    get_scaler,
)

skp = pytest.importorskip("sklearn.preprocessing")
skd = pytest.importorskip("sklearn.decomposition")


def _data(n=60, d=5, seed=0):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(d, d))
    return rng.normal(size=(n, d)) @ A * np.arange(1, d + 1) + np.arange(d) * 3.0


@pytest.mark.parametrize("with_mean, with_std", [(True, True), (False, True), (True, False)])
def test_standard_scaler_matches_sklearn(with_mean, with_std):
    X = _data()
    X[:, 2] = 4.0  # constant feature: scale stays 1, like sklearn
    ours = StandardScaler(with_mean=with_mean, with_std=with_std).fit(X)
    theirs = skp.StandardScaler(with_mean=with_mean, with_std=with_std).fit(X)
    Z = ours.transform(X)
    np.testing.assert_allclose(Z, theirs.transform(X), atol=1e-10, rtol=1e-10)
    if with_std:
        np.testing.assert_allclose(ours.scale_, theirs.scale_, atol=1e-10, rtol=1e-10)
        assert ours.scale_[2] == 1.0
    np.testing.assert_allclose(ours.inverse_transform(Z), X, atol=1e-10)
    if with_mean and with_std:
        keep = [0, 1, 3, 4]
        np.testing.assert_allclose(Z[:, keep].mean(0), 0, atol=1e-12)
        np.testing.assert_allclose(Z[:, keep].std(0), 1, atol=1e-12)


@pytest.mark.parametrize("feature_range", [(0.0, 1.0), (-1.0, 1.0), (2.0, 5.0)])
def test_minmax_matches_sklearn(feature_range):
    X = _data()
    X[:, 0] = -2.0
    ours = MinMaxScaler(feature_range).fit(X)
    theirs = skp.MinMaxScaler(feature_range=feature_range).fit(X)
    Xt = _data(seed=1)
    np.testing.assert_allclose(ours.transform(Xt), theirs.transform(Xt), atol=1e-10, rtol=1e-10)
    np.testing.assert_allclose(ours.fit_transform(X), theirs.transform(X), atol=1e-10)
    np.testing.assert_allclose(ours.inverse_transform(ours.transform(Xt)), Xt, atol=1e-10)
    Z = ours.transform(X)
    assert Z.min() == pytest.approx(feature_range[0]) and Z.max() == pytest.approx(feature_range[1])


def test_zero_centerer():
    X = _data()
    c = ZeroCenterer()
    Z = c.fit_transform(X)
    np.testing.assert_allclose(Z.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(Z - X, np.broadcast_to(-X.mean(0), X.shape), atol=1e-12)
    np.testing.assert_allclose(c.inverse_transform(Z), X, atol=1e-12)


@pytest.mark.parametrize("n_components", [None, 3])
def test_pca_whitening_matches_sklearn_pca_whiten(n_components):
    X = _data(n=80)
    ours = PCAWhitening(n_components=n_components, eps=0.0).fit(X)
    theirs = skd.PCA(n_components=n_components, whiten=True, svd_solver="full").fit(X)
    Xt = _data(n=20, seed=3)
    np.testing.assert_allclose(ours.transform(Xt), theirs.transform(Xt), atol=1e-10, rtol=1e-10)
    np.testing.assert_allclose(ours.components_, theirs.components_, atol=1e-10)
    np.testing.assert_allclose(ours.explained_variance_, theirs.explained_variance_, rtol=1e-10)


@pytest.mark.parametrize("cls", [PCAWhitening, ZCAWhitening])
def test_whitened_covariance_is_identity(cls):
    X = _data(n=500, d=6)
    Z = cls(eps=1e-9).fit_transform(X)
    np.testing.assert_allclose(Z.mean(0), 0, atol=1e-10)
    np.testing.assert_allclose(np.cov(Z, rowvar=False), np.eye(6), atol=1e-6)
    np.testing.assert_allclose(cls(eps=1e-9).fit(X).inverse_transform(Z), X, atol=1e-8)


def test_zca_is_pca_rotated_back_and_closest_to_input():
    X = _data(n=400, d=4)
    pca = PCAWhitening(eps=1e-5).fit(X)
    zca = ZCAWhitening(eps=1e-5).fit(X)
    Zp, Zz = pca.transform(X), zca.transform(X)
    # ZCA = PCA-whitened coordinates expressed back in the input axes
    np.testing.assert_allclose(Zp @ pca.components_, Zz, atol=1e-10)
    np.testing.assert_allclose(zca.whitening_, zca.whitening_.T, atol=1e-12)
    # among whitenings, ZCA is the one nearest to the centred input
    Xc = X - X.mean(0)
    assert np.linalg.norm(Zz - Xc) < np.linalg.norm(Zp - Xc)


def test_pca_variance_fraction_and_eps_damping():
    X = _data(n=200, d=5)
    full = PCAWhitening(eps=0.0).fit(X)
    frac = PCAWhitening(n_components=0.9, eps=0.0).fit(X)
    cum = np.cumsum(full.explained_variance_ratio_)
    assert frac.n_components_ == int(np.searchsorted(cum, 0.9) + 1)
    damped = PCAWhitening(eps=1.0).fit(X)
    np.testing.assert_allclose(np.cov(damped.transform(X), rowvar=False).diagonal(),
                               full.explained_variance_ / (full.explained_variance_ + 1.0),
                               rtol=1e-10)


def test_float32_kept_and_int_becomes_float64():
    X = _data().astype(np.float32)
    assert StandardScaler().fit_transform(X).dtype == np.float32
    assert MinMaxScaler().fit_transform(np.arange(6).reshape(3, 2)).dtype == np.float64


@pytest.mark.parametrize("cls", [StandardScaler, MinMaxScaler, ZeroCenterer, PCAWhitening,
                                 ZCAWhitening])
def test_input_errors(cls):
    with pytest.raises(ValueError, match="NaN or inf"):
        cls().fit(np.array([[1.0, np.nan], [2.0, 3.0]]))
    with pytest.raises(ValueError, match="must be 2-D"):
        cls().fit(np.zeros(5))
    with pytest.raises(RuntimeError, match="not fitted"):
        cls().transform(np.zeros((3, 2)))
    fitted = cls().fit(_data(d=3))
    with pytest.raises(ValueError, match="X has 4 features but"):
        fitted.transform(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="NaN or inf"):
        fitted.transform(np.array([[1.0, 2.0, np.inf]]))
    with pytest.raises(TypeError, match="numeric"):
        cls().fit(np.array([["a", "b"]]))


def test_hyperparameter_errors_and_registry():
    with pytest.raises(ValueError, match="feature_range minimum must be smaller"):
        MinMaxScaler((1, 0))
    with pytest.raises(ValueError, match="n_components must be"):
        PCAWhitening(n_components=9).fit(_data(d=3))
    with pytest.raises(ValueError, match="eps must be a finite number >= 0"):
        ZCAWhitening(eps=-1)
    assert isinstance(get_scaler("zscore"), StandardScaler)
    assert get_scaler("minmax", feature_range=(-1, 1)).feature_range == (-1.0, 1.0)
    with pytest.raises(ValueError, match="valid names: .*minmax"):
        get_scaler("robust")
