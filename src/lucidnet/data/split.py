"""Train / validation / test splits and k-fold cross-validation.

A model is judged on data it did not train on: a held-out test split estimates how well it
generalizes, and k-fold cross-validation averages that estimate over k different hold-outs (each
sample is held out once), which is steadier on small data sets. Signatures and defaults follow scikit-learn's ``model_selection``; ``KFold`` and
``StratifiedKFold`` without shuffling produce exactly scikit-learn's folds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..random import get_rng_state, manual_seed, set_rng_state

__all__ = ["KFold", "StratifiedKFold", "cross_validate", "train_test_split"]


def _n_samples(a, name: str) -> int:
    a = np.asarray(a) if not hasattr(a, "shape") else a
    if a.ndim == 0:
        raise ValueError(f"{name} must be an array with a sample axis, got a scalar")
    return int(a.shape[0])


def _split_sizes(n: int, test_size, train_size) -> tuple[int, int]:
    """scikit-learn's rule: n_test = ceil(test_size * n), n_train = floor(train_size * n)."""
    def check(v, name):
        if v is None:
            return
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name} must be a float in (0, 1), an int in [1, n_samples) or None, "
                             f"got {v!r}")
        if isinstance(v, (float, np.floating)) and not 0.0 < v < 1.0:
            raise ValueError(f"{name}={v} as a fraction must be in (0, 1)")
        if isinstance(v, (int, np.integer)) and not 0 < v < n:
            raise ValueError(f"{name}={v} as a count must be in [1, {n - 1}] for n_samples={n}")

    check(test_size, "test_size")
    check(train_size, "train_size")
    if test_size is None and train_size is None:
        test_size = 0.25
    n_test = None
    if test_size is not None:
        n_test = math.ceil(test_size * n) if isinstance(test_size, (float, np.floating)) else int(test_size)
    n_train = None
    if train_size is not None:
        n_train = (math.floor(train_size * n) if isinstance(train_size, (float, np.floating))
                   else int(train_size))
    if n_train is None:
        n_train = n - n_test
    if n_test is None:
        n_test = n - n_train
    if n_train + n_test > n:
        raise ValueError(f"train_size + test_size = {n_train} + {n_test} samples exceeds "
                         f"n_samples={n}; reduce one of them")
    if n_train == 0 or n_test == 0:
        raise ValueError(f"with n_samples={n}, test_size={test_size}, train_size={train_size} "
                         f"one side of the split is empty (train {n_train}, test {n_test})")
    return n_train, n_test


def _approximate_mode(class_counts: np.ndarray, n_draws: int) -> np.ndarray:
    """Per-class draw counts summing to ``n_draws``, closest to ``n_draws * p_class``.

    Floors of the exact shares, then the leftover draws go to the largest remainders
    (ties: the class seen first), never beyond a class's count.
    """
    exact = class_counts / class_counts.sum() * n_draws
    floored = np.floor(exact).astype(np.int64)
    need = n_draws - floored.sum()
    if need > 0:
        rem = exact - floored
        for k in np.argsort(-rem, kind="stable"):
            if need == 0:
                break
            if floored[k] < class_counts[k]:
                floored[k] += 1
                need -= 1
    return floored


def _check_labels(y: np.ndarray, where: str, continuous_ok: bool = True) -> None:
    """Class labels must be finite; ``continuous_ok=False`` also refuses non-integer floats."""
    if y.dtype.kind not in "fc":
        return
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{where}: the class labels contain NaN or inf; drop or impute those rows")
    if not continuous_ok and np.any(y != np.round(y)):
        raise ValueError(f"{where}: the labels look continuous (non-integer floats such as "
                         f"{y[y != np.round(y)][0]!r}); stratification needs class labels")


def _encode(y) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"class labels must be 1-D, got shape {y.shape}")
    _check_labels(y, "stratify")
    classes, codes = np.unique(y, return_inverse=True)
    return classes, codes.ravel()


def train_test_split(*arrays, test_size: float | None = None,
                     train_size: float | None = None, random_state: int | None = None,
                     shuffle: bool = True, stratify=None) -> list:
    """Split arrays into random train and test parts, like ``sklearn.model_selection``.

    Parameters
    ----------
    *arrays : array-like, each of shape (n_samples, ...)
        Arrays (inputs, targets, ...) split along their first axis with the same indices.
    test_size, train_size : float or int, optional
        Floats are fractions of ``n_samples`` (test rounds up, train rounds down), ints are
        counts; ``test_size`` defaults to 0.25 (or the complement of ``train_size``).
    random_state : int, optional
        Seed of the shuffle (``None``: a fresh random split).
    shuffle : bool, default True
        ``False`` takes the first samples as train and the rest as test.
    stratify : array-like of shape (n_samples,), optional
        Class labels: each class keeps its proportion in both parts (per-class counts within
        one sample of ``n_part * p_class``). Needs ``shuffle=True``.

    Returns
    -------
    list
        ``[a_train, a_test, b_train, b_test, ...]``, two entries per input array.

    Examples
    --------
    >>> from lucidnet.data import train_test_split
    >>> X = np.arange(20).reshape(10, 2)
    >>> y = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2,
    ...                                                     random_state=0, stratify=y)
    >>> X_train.shape, X_test.shape, sorted(y_test.tolist())
    ((8, 2), (2, 2), [0, 1])
    >>> train_test_split(np.arange(5), test_size=2, shuffle=False)
    [array([0, 1, 2]), array([3, 4])]
    """
    if not arrays:
        raise ValueError("train_test_split needs at least one array")
    lengths = [_n_samples(a, f"array {i}") for i, a in enumerate(arrays)]
    if len(set(lengths)) != 1:
        raise ValueError(f"all arrays must have the same number of samples, got lengths {lengths}")
    n = lengths[0]
    if n < 2:
        raise ValueError(f"cannot split {n} sample(s); need at least 2")
    n_train, n_test = _split_sizes(n, test_size, train_size)
    if not shuffle:
        if stratify is not None:
            raise ValueError("stratified splitting needs shuffle=True (as in scikit-learn)")
        train, test = np.arange(n_train), np.arange(n_train, n_train + n_test)
    else:
        rng = np.random.default_rng(random_state)
        if stratify is None:
            perm = rng.permutation(n)
            test, train = perm[:n_test], perm[n_test:n_test + n_train]
        else:
            train, test = _stratified_indices(stratify, n, n_train, n_test, rng)
    out = []
    for a in arrays:
        a = a if hasattr(a, "shape") else np.asarray(a)
        out.extend([a[train], a[test]])
    return out


def _stratified_indices(stratify, n, n_train, n_test, rng):
    classes, codes = _encode(stratify)
    if codes.shape[0] != n:
        raise ValueError(f"stratify has {codes.shape[0]} labels for {n} samples")
    counts = np.bincount(codes)
    if counts.min() < 2:
        raise ValueError(f"the least populated class ({classes[counts.argmin()]!r}) has "
                         f"{counts.min()} member; stratification needs at least 2 per class")
    if n_train < len(classes) or n_test < len(classes):
        raise ValueError(f"train ({n_train}) and test ({n_test}) sizes must each be at least the "
                         f"number of classes ({len(classes)}) for a stratified split")
    n_i = _approximate_mode(counts, n_train)
    t_i = _approximate_mode(counts - n_i, n_test)
    train, test = [], []
    for k in range(len(classes)):
        members = rng.permutation(np.flatnonzero(codes == k))
        train.append(members[:n_i[k]])
        test.append(members[n_i[k]:n_i[k] + t_i[k]])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


class KFold:
    """k consecutive folds for cross-validation, as ``sklearn.model_selection.KFold``.

    Without shuffling the folds are scikit-learn's, index for index. With ``shuffle=True`` the
    permutation comes from NumPy's ``default_rng(random_state)``, not from scikit-learn's
    ``RandomState``: the folds have the same sizes but other members for the same seed.

    Each fold is the test set once while the other ``k - 1`` train. The first
    ``n % n_splits`` folds have ``n // n_splits + 1`` samples, the others ``n // n_splits``.

    Parameters
    ----------
    n_splits : int, default 5
        Number of folds ``k >= 2``.
    shuffle : bool, default False
        Permute the indices before cutting them into folds.
    random_state : int, optional
        Seed of that permutation (only with ``shuffle=True``; a ``numpy.random.Generator``
        seed, so the same integer gives other folds than scikit-learn's).

    Examples
    --------
    >>> from lucidnet.data import KFold
    >>> for train, test in KFold(n_splits=3).split(np.zeros(7)):
    ...     print(train, test)
    [3 4 5 6] [0 1 2]
    [0 1 2 5 6] [3 4]
    [0 1 2 3 4] [5 6]
    """

    def __init__(self, n_splits: int = 5, shuffle: bool = False, random_state: int | None = None):
        if isinstance(n_splits, (bool, np.bool_)) or not isinstance(n_splits, (int, np.integer)) \
                or n_splits < 2:
            raise ValueError(f"n_splits must be an integer >= 2, got {n_splits!r}")
        if not shuffle and random_state is not None:
            raise ValueError("random_state has no effect without shuffle=True; "
                             "set shuffle=True or leave random_state=None")
        self.n_splits, self.shuffle, self.random_state = int(n_splits), bool(shuffle), random_state

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        """The number of folds (the arguments are ignored; they exist for scikit-learn's API)."""
        return self.n_splits

    def _check_n(self, X) -> int:
        n = _n_samples(X, "X")
        if self.n_splits > n:
            raise ValueError(f"cannot make n_splits={self.n_splits} folds from n_samples={n}")
        return n

    def _test_folds(self, X, y) -> Iterator[np.ndarray]:
        n = self._check_n(X)
        idx = np.arange(n)
        if self.shuffle:
            np.random.default_rng(self.random_state).shuffle(idx)
        sizes = np.full(self.n_splits, n // self.n_splits)
        sizes[:n % self.n_splits] += 1
        start = 0
        for size in sizes:
            yield idx[start:start + size]
            start += size

    def split(self, X, y=None, groups=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train_indices, test_indices)`` for each fold.

        ``X`` (only its length is used) has shape ``(n_samples, ...)``; ``y`` holds the class
        labels for :class:`StratifiedKFold` and is ignored by :class:`KFold`."""
        n = _n_samples(X, "X")
        for test in self._test_folds(X, y):
            mask = np.ones(n, dtype=bool)
            mask[test] = False
            yield np.flatnonzero(mask), np.sort(test) if self.shuffle else test

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(n_splits={self.n_splits}, shuffle={self.shuffle}, "
                f"random_state={self.random_state})")


class StratifiedKFold(KFold):
    """k folds that keep each class's proportion; scikit-learn's allocation.

    Labels are sorted by class (classes in order of first appearance) and dealt round-robin to
    the folds, so every fold gets ``count_k / n_splits`` members of class k up to one; without
    shuffling the folds equal ``sklearn.model_selection.StratifiedKFold``'s. Arguments as
    :class:`KFold`; :meth:`split` needs the labels ``y``.

    Examples
    --------
    >>> from lucidnet.data import StratifiedKFold
    >>> for train, test in StratifiedKFold(n_splits=2).split(np.zeros(6), [0, 0, 0, 1, 1, 1]):
    ...     print(train, test)
    [2 4 5] [0 1 3]
    [0 1 3] [2 4 5]
    """

    def _test_folds(self, X, y):
        if y is None:
            raise ValueError("StratifiedKFold.split needs the class labels y")
        n = self._check_n(X)
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.ndim != 1 or y.shape[0] != n:
            raise ValueError(f"y must be 1-D with {n} labels, got shape {y.shape}")
        _check_labels(y, "StratifiedKFold", continuous_ok=False)
        _, first, inverse = np.unique(y, return_index=True, return_inverse=True)
        _, class_perm = np.unique(first, return_inverse=True)
        codes = class_perm[inverse.ravel()]
        n_classes = len(first)
        counts = np.bincount(codes)
        if np.all(self.n_splits > counts):
            raise ValueError(f"n_splits={self.n_splits} is greater than the number of members in "
                             f"every class (largest class has {counts.max()})")
        ordered = np.sort(codes)
        allocation = np.asarray([np.bincount(ordered[i::self.n_splits], minlength=n_classes)
                                 for i in range(self.n_splits)])
        rng = np.random.default_rng(self.random_state) if self.shuffle else None
        test_fold = np.empty(n, dtype=np.int64)
        for k in range(n_classes):
            folds_for_class = np.arange(self.n_splits).repeat(allocation[:, k])
            if rng is not None:
                rng.shuffle(folds_for_class)
            test_fold[codes == k] = folds_for_class
        for f in range(self.n_splits):
            yield np.flatnonzero(test_fold == f)


def _is_classification(y) -> bool:
    y = np.asarray(y)
    if y.ndim != 1 and not (y.ndim == 2 and y.shape[1] == 1):
        return False
    if not np.issubdtype(y.dtype, np.number):
        return True
    return bool(np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.bool_))


def _check_n_jobs(n_jobs) -> None:
    if n_jobs is None:
        return
    if isinstance(n_jobs, (bool, np.bool_)) or not isinstance(n_jobs, (int, np.integer)) \
            or n_jobs == 0:
        raise ValueError(f"n_jobs must be None, a positive number of processes or a negative "
                         f"count back from all cores (-1: all), got {n_jobs!r}")


def _fold_seed(seed: int, fold: int) -> int:
    """The lucidnet seed of fold ``fold``: a function of (seed, fold) alone, so a fold draws the
    same numbers whichever process runs it and whatever ran before it."""
    return int(np.random.SeedSequence([int(seed) % 2 ** 63, fold]).generate_state(1)[0])


def _run_fold(model_fn, fit, score, X, y, train, val, fold_seed):
    """Fit and score one fold; with ``fold_seed`` under that lucidnet seed, the caller's global
    generator put back afterwards."""
    saved = get_rng_state() if fold_seed is not None else None
    try:
        if fold_seed is not None:
            manual_seed(fold_seed)
        model = model_fn()
        fit(model, X[train], y[train])
        return float(score(model, X[train], y[train])), float(score(model, X[val], y[val]))
    finally:
        if saved is not None:
            set_rng_state(saved)


def _default_fit(model, X, y):
    return model.fit(X, y)


def _default_score(model, X, y):
    return model.score(X, y)


def cross_validate(model_fn: Callable[[], Any], X, y, k: int = 5,
                   fit: Callable[[Any, np.ndarray, np.ndarray], Any] | None = None,
                   score: Callable[[Any, np.ndarray, np.ndarray], float] | None = None,
                   stratified: bool = True, seed: int | None = 0,
                   n_jobs: int | None = None) -> dict:
    """k-fold cross-validation of any estimator-like object.

    Protocol: ``model_fn()`` returns a fresh, unfitted model for each fold. It is trained by
    ``fit(model, X_train, y_train)`` (default: ``model.fit(X_train, y_train)``) and scored by
    ``score(model, X, y) -> float`` (default: ``model.score(X, y)``), higher is better.
    Folds are shuffled with ``seed``; ``stratified=True`` uses :class:`StratifiedKFold` when ``y``
    holds integer/string class labels and plain :class:`KFold` otherwise.

    With a ``seed``, fold ``i`` runs under ``lucidnet.manual_seed(s_i)``, ``s_i`` drawn from
    ``SeedSequence([seed, i])`` (weight initialization, dropout and shuffling inside ``model_fn``
    / ``fit`` draw from it), and the caller's global generator is restored afterwards: each fold's
    result depends on (seed, i) alone, so a parallel run equals the serial one. With
    ``seed=None`` the folds are not shuffled and draw from the global generator as it goes
    (then only ``n_jobs=1`` is reproducible).

    ``n_jobs`` runs the folds through joblib, with scikit-learn's meaning: ``None`` is 1 unless a
    ``joblib.parallel_backend(...)`` context says otherwise (e.g. ``"dask"`` for a Dask
    cluster), ``-1`` is every core, ``-2`` all but one. In other processes ``model_fn``, ``fit``
    and ``score`` travel by (cloud)pickle, so lambdas and local functions work.

    Returns
    -------
    dict with ``train_scores`` and ``val_scores`` (lists, one per fold), ``train_mean``,
    ``train_std``, ``val_mean``, ``val_std`` (population std over folds) and ``n_splits``.

    Examples
    --------
    A model that predicts the training mean, scored by minus the mean squared error:

    >>> from lucidnet.data import cross_validate
    >>> class Mean:
    ...     def fit(self, X, y):
    ...         self.c = y.mean()
    ...         return self
    ...     def score(self, X, y):
    ...         return -float(((y - self.c) ** 2).mean())
    >>> X, y = np.arange(8.0).reshape(8, 1), np.arange(8.0)
    >>> result = cross_validate(Mean, X, y, k=4, n_jobs=1)
    >>> result["n_splits"], len(result["val_scores"])
    (4, 4)
    >>> round(result["train_mean"], 3), round(result["val_mean"], 3)
    (-5.181, -5.736)
    """
    if not callable(model_fn):
        raise TypeError(f"model_fn must be a callable returning a fresh model, got {model_fn!r}")
    _check_n_jobs(n_jobs)
    X, y = np.asarray(X), np.asarray(y)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have the same number of samples, got {X.shape[0]} and "
                         f"{y.shape[0]}")
    fit = fit or _default_fit
    score = score or _default_score
    splitter_cls = StratifiedKFold if stratified and _is_classification(y) else KFold
    splitter = splitter_cls(k, shuffle=seed is not None, random_state=seed)
    folds = list(splitter.split(X, y))
    seeds = [None if seed is None else _fold_seed(seed, i) for i in range(len(folds))]
    if n_jobs == 1:
        scores = [_run_fold(model_fn, fit, score, X, y, tr, va, s)
                  for (tr, va), s in zip(folds, seeds)]
    else:
        from joblib import Parallel, delayed  # a scikit-learn dependency

        scores = Parallel(n_jobs=n_jobs)(delayed(_run_fold)(model_fn, fit, score, X, y, tr, va, s)
                                         for (tr, va), s in zip(folds, seeds))
    train_scores = [t for t, _ in scores]
    val_scores = [v for _, v in scores]
    return {"train_scores": train_scores, "val_scores": val_scores,
            "train_mean": float(np.mean(train_scores)), "train_std": float(np.std(train_scores)),
            "val_mean": float(np.mean(val_scores)), "val_std": float(np.std(val_scores)),
            "n_splits": k}
