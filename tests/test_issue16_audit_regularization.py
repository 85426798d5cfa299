"""Issue 16 audit: ridge_closed_form refuses NaN/inf (it returned NaN coefficients)."""

import numpy as np
import pytest

from lucidnet.regularization import ridge_closed_form


@pytest.mark.parametrize("where", ["X", "y"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_data_is_refused(where, bad):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((10, 3)), rng.standard_normal(10)
    (X if where == "X" else y)[2] = bad
    with pytest.raises(ValueError, match=f"ridge_closed_form: {where} contains NaN or inf"):
        ridge_closed_form(X, y, 1.0, fit_intercept=True)


def test_matches_the_normal_equations():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((12, 3)), rng.standard_normal(12)
    theta = ridge_closed_form(X, y, 0.5)
    np.testing.assert_allclose(theta, np.linalg.solve(X.T @ X + 0.5 * np.eye(3), X.T @ y))
