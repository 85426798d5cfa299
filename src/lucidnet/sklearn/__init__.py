"""scikit-learn estimators.

Two families, both behind scikit-learn's estimator API (``Pipeline``, ``GridSearchCV``,
``cross_val_score``, ``check_estimator``):

- `NeuralNetClassifier` / `NeuralNetRegressor` (``_neuralnet.py``): lucidnet networks trained by
  the `Trainer`, with lucidnet's options (any activation or optimizer, dropout, batch norm).
- `MLPClassifier` / `MLPRegressor` (``_mlp.py``): drop-in replacements for
  ``sklearn.neural_network.MLPClassifier`` / ``MLPRegressor`` -- the same parameters, defaults,
  initialization, updates, convergence rules and fitted attributes, with preallocated float32 /
  float64 buffers and flat parameter vectors for speed.

This package imports scikit-learn (only ``import lucidnet.sklearn`` needs it).
"""

from ._mlp import MLPClassifier, MLPRegressor
from ._neuralnet import NeuralNetClassifier, NeuralNetRegressor

__all__ = ["MLPClassifier", "MLPRegressor", "NeuralNetClassifier", "NeuralNetRegressor"]
