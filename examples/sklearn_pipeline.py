"""lucidnet's scikit-learn estimator inside a ``Pipeline`` and a ``GridSearchCV``.

``lucidnet.sklearn.NeuralNetClassifier`` is a scikit-learn estimator (``fit`` / ``predict`` /
``score``, ``get_params`` / ``set_params``), so scikit-learn's tools take it as they take their
own: here ``Pipeline([StandardScaler, NeuralNetClassifier])`` on the bundled wine data (13
chemical measurements on very different scales, 3 cultivars; no download), a grid search over
the hidden layer width and the learning rate with 3-fold cross-validation (the scaler is fitted
inside each fold, so no statistics leak from the validation fold), then the best pipeline's score
on a held-out test set. For comparison it also cross-validates the network without the scaler.
Run::

    python examples/sklearn_pipeline.py [--epochs 60]

It prints every grid point's mean cross-validated accuracy, the best parameters, the best
cross-validated score, the held-out test accuracy, and the score without scaling. Without
scikit-learn installed it says so and exits without an error.
"""

import argparse
import sys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=60)
    args = parser.parse_args()
    try:
        from sklearn.datasets import load_wine
        from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler
    except ImportError:
        print("scikit-learn is not installed, so there is nothing to show: this example puts "
              "lucidnet's estimator into scikit-learn's Pipeline and GridSearchCV. Install it "
              "with `pip install scikit-learn` and run the example again.")
        return
    from lucidnet.sklearn import NeuralNetClassifier

    X, y = load_wine(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0,
                                                        stratify=y)
    print(f"wine: {len(X_train)} train / {len(X_test)} test rows, {X.shape[1]} features, "
          f"feature scales from {X.std(axis=0).min():.2f} to {X.std(axis=0).max():.0f}")

    net = NeuralNetClassifier(epochs=args.epochs, batch_size=16, random_state=0)
    pipeline = Pipeline([("scale", StandardScaler()), ("net", net)])
    grid = {"net__hidden_layer_sizes": [(8,), (32,)], "net__lr": [1e-3, 1e-2]}
    search = GridSearchCV(pipeline, grid, cv=3, scoring="accuracy", n_jobs=1)
    search.fit(X_train, y_train)
    results = search.cv_results_
    for params, mean, std in zip(results["params"], results["mean_test_score"],
                                 results["std_test_score"]):
        print(f"  {params}: cv accuracy {mean:.3f} +- {std:.3f}")
    print(f"best params: {search.best_params_}")
    print(f"best cv accuracy: {search.best_score_:.3f}")
    print(f"test accuracy of the best pipeline: {search.score(X_test, y_test):.3f}")

    raw = NeuralNetClassifier(epochs=args.epochs, batch_size=16, random_state=0,
                              **{k.split("__")[1]: v for k, v in search.best_params_.items()})
    unscaled = cross_val_score(raw, X_train, y_train, cv=3, scoring="accuracy")
    print(f"cv accuracy without StandardScaler: {unscaled.mean():.3f}")


if __name__ == "__main__":
    sys.exit(main())
