"""Issue 16 audit: splits and scalers refuse inputs they used to accept silently."""

import numpy as np
import pytest

from lucidnet.data import StandardScaler
from lucidnet.data.split import StratifiedKFold, train_test_split

X = np.arange(20.0).reshape(10, 2)
Y = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])


def test_stratified_kfold_refuses_nan_labels():
    y = np.where(Y == 1, np.nan, Y)          # used to stratify on "nan" as a class
    with pytest.raises(ValueError, match="StratifiedKFold: the class labels contain NaN"):
        list(StratifiedKFold(2).split(X, y))


def test_stratified_kfold_refuses_continuous_targets():
    with pytest.raises(ValueError, match="labels look continuous"):
        list(StratifiedKFold(2).split(X, Y + 0.5))
    folds = [t.tolist() for _, t in StratifiedKFold(2).split(X, Y.astype(float))]
    assert folds == [t.tolist() for _, t in StratifiedKFold(2).split(X, Y)]   # 0.0/1.0 are fine


def test_train_test_split_refuses_nan_in_stratify():
    y = Y.astype(float)
    y[[0, 5]] = np.nan
    with pytest.raises(ValueError, match="stratify: the class labels contain NaN"):
        train_test_split(X, y, test_size=0.4, stratify=y, random_state=0)


@pytest.mark.parametrize("kw", [{"with_mean": "False"}, {"with_std": 0}])
def test_standard_scaler_flags_must_be_bools(kw):
    with pytest.raises(TypeError, match="must be True or False"):
        StandardScaler(**kw)          # "False" used to centre the data (a truthy string)
    assert StandardScaler(with_mean=np.bool_(False)).fit(X).transform(X)[0, 0] == 0.0


def test_pca_fraction_at_an_exact_tie_keeps_what_scikit_learn_keeps():
    from lucidnet.data import PCAWhitening
    X = np.vstack([np.eye(4), -np.eye(4)])          # four axes, 1/4 of the variance each
    # 2 axes explain exactly 0.5; scikit-learn keeps more than the fraction: 3 (it used to be 2)
    assert PCAWhitening(0.5, eps=0.0).fit(X).n_components_ == 3
    assert PCAWhitening(0.49, eps=0.0).fit(X).n_components_ == 2


@pytest.mark.parametrize("eps", [float("nan"), float("inf"), -1.0, "0"])
def test_whitening_eps_must_be_finite(eps):
    from lucidnet.data import PCAWhitening, ZCAWhitening
    for cls in (PCAWhitening, ZCAWhitening):
        with pytest.raises(ValueError, match="eps must be a finite number >= 0"):
            cls(eps=eps)            # nan used to give an all-nan transform
