"""Shared input generators and comparisons for the metric tests."""

import os
import warnings

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

RTOL = ATOL = 1e-12

# modest example counts: the whole metrics suite must stay well under a minute on 2 cores
# (set LUCIDNET_METRICS_EXAMPLES=1000 for a one-off deeper search)
SETTINGS = settings(max_examples=int(os.environ.get("LUCIDNET_METRICS_EXAMPLES", "50")),
                    deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(2, 40)


def assert_same(ours, theirs):
    """Equal to 1e-12, recursing into tuples/lists/dicts; NaN == NaN; strings exactly."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and list(ours) == list(theirs)
        for key in theirs:
            assert_same(ours[key], theirs[key])
    elif isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same(a, b)
    elif isinstance(theirs, str):
        assert ours == theirs
    elif theirs is None:
        assert ours is None
    else:
        a, b = np.asarray(ours), np.asarray(theirs)
        assert a.shape == b.shape, (a.shape, b.shape)
        np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=RTOL, atol=ATOL,
                                   equal_nan=True)


def quiet(fn, *args, **kwargs):
    """Call with every warning silenced (sklearn and lucidnet warn on ill-defined metrics)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def both_ways(ours, theirs, *args, **kwargs):
    """Run lucidnet and sklearn on the same input; compare results and warning presence."""
    with warnings.catch_warnings(record=True) as ours_w:
        warnings.simplefilter("always")
        a = ours(*args, **kwargs)
    with warnings.catch_warnings(record=True) as theirs_w:
        warnings.simplefilter("always")
        b = theirs(*args, **kwargs)
    assert_same(a, b)
    # NumPy's RuntimeWarnings (1/0 under force_finite=False) are implementation noise
    noise = (DeprecationWarning, FutureWarning, RuntimeWarning)
    ours_kinds = {type(w.message).__name__ for w in ours_w if not issubclass(w.category, noise)}
    theirs_kinds = {type(w.message).__name__ for w in theirs_w
                    if not issubclass(w.category, noise)}
    assert ours_kinds == theirs_kinds, ([str(w.message) for w in ours_w],
                                        [str(w.message) for w in theirs_w])
    return a


def weights(rng, n, kind):
    """None, positive floats, or integer weights including zeros."""
    if kind == "none":
        return None
    if kind == "float":
        return rng.random(n) + 0.1
    w = rng.integers(0, 4, n).astype(float)
    w[0] = max(w[0], 1.0)  # sklearn refuses all-zero weights (tested separately)
    return w


def labels(rng, n, n_classes, all_present=False):
    y = rng.integers(0, n_classes, n)
    if all_present:
        y[:n_classes] = np.arange(n_classes)
        rng.shuffle(y)
    return y


def scores(rng, n, ties):
    """Scores in [0, 1]; with ``ties`` rounded to one decimal so many are equal."""
    s = rng.random(n)
    return np.round(s, 1) if ties else s


def proba(rng, n, n_classes, ties):
    """Probability rows; with ``ties`` most rows repeat a few prototypes (equal scores)."""
    p = rng.dirichlet(np.ones(n_classes), size=n)
    if ties:
        pool = rng.dirichlet(np.ones(n_classes), size=3)
        pick = rng.random(n) < 0.7
        p[pick] = pool[rng.integers(0, 3, pick.sum())]
    return p


def multilabel(rng, n, n_labels, both_classes=True):
    y = (rng.random((n, n_labels)) < 0.4).astype(np.int64)
    if both_classes:
        y[0], y[1] = 1, 0
        rng.shuffle(y)
    return y
