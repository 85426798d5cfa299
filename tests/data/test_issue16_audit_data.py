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
