"""Issue 16 audit: Perceptron.score refuses labels of another shape instead of broadcasting."""

import numpy as np
import pytest

from lucidnet.models import Perceptron

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([0, 0, 0, 1])


def test_score_refuses_a_label_table_of_another_shape():
    clf = Perceptron(random_state=0).fit(X, Y)
    with pytest.raises(ValueError, match=r"y must have shape \(4,\), got \(1, 4\)"):
        clf.score(X, Y[None, :])     # used to compare a (4,) with a (1, 4) table silently


def test_score_accepts_a_column_of_labels():
    clf = Perceptron(random_state=0).fit(X, Y)
    assert clf.score(X, Y) == 1.0
    assert clf.score(X, Y[:, None]) == 1.0   # used to give 0.625: a (4, 4) table of comparisons
