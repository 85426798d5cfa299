import numpy as np
import pytest

from lucidnet.data import KFold, StratifiedKFold, cross_validate, train_test_split

sk_ms = pytest.importorskip("sklearn.model_selection")


@pytest.mark.parametrize("n, kw", [
    (100, {}), (10, {"test_size": 0.33}), (10, {"train_size": 0.5}), (37, {"test_size": 5}),
    (37, {"train_size": 20, "test_size": 10}), (7, {"test_size": 0.5, "train_size": 0.3}),
])
def test_split_sizes_match_sklearn(n, kw):
    X = np.arange(n)
    ours = train_test_split(X, **kw, random_state=0)
    theirs = sk_ms.train_test_split(X, **kw, random_state=0)
    assert [len(a) for a in ours] == [len(a) for a in theirs]
    assert len(np.intersect1d(ours[0], ours[1])) == 0


def test_split_keeps_rows_aligned_and_is_seeded():
    X = np.arange(40).reshape(20, 2)
    y = np.arange(20) * 10
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=3)
    np.testing.assert_array_equal(Xtr[:, 0] * 5, ytr)
    np.testing.assert_array_equal(Xte[:, 0] * 5, yte)
    again = train_test_split(X, y, test_size=0.25, random_state=3)
    np.testing.assert_array_equal(again[1], Xte)
    other = train_test_split(X, y, test_size=0.25, random_state=4)
    assert not np.array_equal(other[1], Xte)


def test_no_shuffle_takes_head_and_tail_like_sklearn():
    X = np.arange(10)
    ours = train_test_split(X, test_size=0.3, shuffle=False)
    theirs = sk_ms.train_test_split(X, test_size=0.3, shuffle=False)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("counts, test_size", [([50, 30, 20], 0.25), ([13, 7, 41, 3], 0.3),
                                               ([500, 20], 0.1), ([9, 9, 9], 7)])
def test_stratified_preserves_class_proportions_like_sklearn(counts, test_size):
    rng = np.random.default_rng(0)
    y = rng.permutation(np.repeat(np.arange(len(counts)), counts))
    X = np.arange(len(y))
    _, _, ytr, yte = train_test_split(X, y, test_size=test_size, stratify=y, random_state=0)
    _, _, sytr, syte = sk_ms.train_test_split(X, y, test_size=test_size, stratify=y, random_state=0)
    p = np.array(counts) / sum(counts)
    for ours, theirs in ((ytr, sytr), (yte, syte)):
        assert len(ours) == len(theirs)
        ours_c = np.bincount(ours, minlength=len(counts))
        theirs_c = np.bincount(theirs, minlength=len(counts))
        # each class within one sample of its exact share, as sklearn's allocation is
        assert np.all(np.abs(ours_c - p * len(ours)) < 1)
        assert np.all(np.abs(ours_c - theirs_c) <= 1)


@pytest.mark.parametrize("kwargs, err, match", [
    ({"test_size": 1.5}, ValueError, r"test_size=1.5 as a fraction must be in \(0, 1\)"),
    ({"test_size": 0}, ValueError, "as a count must be in"),
    ({"test_size": 12}, ValueError, "as a count must be in"),
    ({"test_size": "a"}, TypeError, "test_size must be"),
    ({"test_size": 0.6, "train_size": 0.6}, ValueError, "exceeds n_samples"),
    ({"shuffle": False, "stratify": np.zeros(10)}, ValueError, "shuffle=True"),
    ({"stratify": np.r_[np.zeros(9), 1]}, ValueError, "least populated class"),
])
def test_split_errors(kwargs, err, match):
    with pytest.raises(err, match=match):
        train_test_split(np.arange(10), **kwargs)


def test_split_length_mismatch():
    with pytest.raises(ValueError, match=r"same number of samples, got lengths \[3, 4\]"):
        train_test_split(np.zeros(3), np.zeros(4))


@pytest.mark.parametrize("n, k", [(10, 5), (11, 3), (7, 7), (103, 10)])
def test_kfold_equals_sklearn(n, k):
    X = np.zeros((n, 2))
    ours = list(KFold(k).split(X))
    theirs = list(sk_ms.KFold(k).split(X))
    assert KFold(k).get_n_splits() == len(ours) == k
    for (a_tr, a_te), (b_tr, b_te) in zip(ours, theirs):
        np.testing.assert_array_equal(a_tr, b_tr)
        np.testing.assert_array_equal(a_te, b_te)


def test_kfold_shuffled_partitions_and_seeded():
    X = np.zeros((23, 1))
    folds = list(KFold(4, shuffle=True, random_state=1).split(X))
    tests = np.concatenate([te for _, te in folds])
    assert sorted(tests.tolist()) == list(range(23))
    assert [len(te) for _, te in folds] == [6, 6, 6, 5]
    for tr, te in folds:
        assert len(np.intersect1d(tr, te)) == 0 and len(tr) + len(te) == 23
    again = list(KFold(4, shuffle=True, random_state=1).split(X))
    for (_, a), (_, b) in zip(folds, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(folds[0][1], np.arange(6))


@pytest.mark.parametrize("shuffle", [False, True])
def test_stratified_kfold_allocation_matches_sklearn(shuffle):
    rng = np.random.default_rng(1)
    y = rng.choice(["b", "a", "c"], size=61, p=[0.5, 0.3, 0.2])
    X = np.zeros((61, 1))
    kw = {"shuffle": shuffle, "random_state": 0 if shuffle else None}
    ours = list(StratifiedKFold(5, **kw).split(X, y))
    theirs = list(sk_ms.StratifiedKFold(5, **kw).split(X, y))
    for (a_tr, a_te), (b_tr, b_te) in zip(ours, theirs):
        # same per-class counts in every fold; identical indices when not shuffled
        for c in "abc":
            assert (y[a_te] == c).sum() == (y[b_te] == c).sum()
        if not shuffle:
            np.testing.assert_array_equal(a_tr, b_tr)
            np.testing.assert_array_equal(a_te, b_te)


@pytest.mark.parametrize("make, match", [
    (lambda: KFold(1), "n_splits must be an integer >= 2"),
    (lambda: KFold(3, random_state=0), "shuffle=True"),
    (lambda: list(KFold(5).split(np.zeros(3))), "n_splits=5 folds from n_samples=3"),
    (lambda: list(StratifiedKFold(3).split(np.zeros(4))), "needs the class labels"),
    (lambda: list(StratifiedKFold(3).split(np.zeros(4), np.array([0, 0, 1, 1]))),
     "greater than the number of members"),
])
def test_kfold_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


class _Centroid:
    """Nearest-class-mean classifier: the estimator protocol cross_validate expects."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.means_ = np.stack([X[y == c].mean(0) for c in self.classes_])
        return self

    def score(self, X, y):
        d = ((X[:, None, :] - self.means_[None]) ** 2).sum(-1)
        return float((self.classes_[d.argmin(1)] == y).mean())


def test_cross_validate_matches_manual_folds():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 1, (40, 2)), rng.normal(1.5, 1, (40, 2))])
    y = np.repeat([0, 1], 40)
    res = cross_validate(_Centroid, X, y, k=4, seed=0)
    assert len(res["val_scores"]) == len(res["train_scores"]) == res["n_splits"] == 4
    manual = [_Centroid().fit(X[tr], y[tr]).score(X[te], y[te])
              for tr, te in StratifiedKFold(4, shuffle=True, random_state=0).split(X, y)]
    np.testing.assert_allclose(res["val_scores"], manual)
    assert res["val_mean"] == pytest.approx(np.mean(manual))
    assert res["val_std"] == pytest.approx(np.std(manual))
    assert 0.6 < res["val_mean"] <= 1.0


def test_cross_validate_custom_fit_and_score_regression():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2))
    y = X @ np.array([2.0, -1.0]) + 0.5

    class Lstsq:
        pass

    def fit(m, A, b):
        m.w = np.linalg.lstsq(np.c_[A, np.ones(len(A))], b, rcond=None)[0]

    def score(m, A, b):
        return -float(np.mean((np.c_[A, np.ones(len(A))] @ m.w - b) ** 2))

    res = cross_validate(Lstsq, X, y, k=3, fit=fit, score=score)
    assert res["n_splits"] == 3
    assert max(abs(s) for s in res["val_scores"]) < 1e-20
