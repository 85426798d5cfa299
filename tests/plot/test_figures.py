"""Evaluation and diagnostic figures: each writes a non-empty PNG and shows the right data."""

import numpy as np
import pytest

from lucidnet import nn, optim, plot
from lucidnet.train import GradientMonitor, Trainer, capacity_sweep, lr_find

pytest.importorskip("matplotlib")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _is_png(path):
    data = path.read_bytes()
    return len(data) > 2000 and data[:8] == PNG_MAGIC


def _blobs(n=150, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centers = np.array([[2, 0], [-2, 2], [0, -2]], dtype=np.float32)
    return centers[y] + 0.8 * rng.standard_normal((n, 2)).astype(np.float32), y


@pytest.fixture(scope="module")
def trained():
    X, y = _blobs()
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    monitor = GradientMonitor(probe=X, warn=False)
    trainer = Trainer(model, "cross_entropy", optim.Adam(model.parameters(), lr=0.05),
                      callbacks=[monitor], verbose=0)
    trainer.fit(X, y, epochs=5, batch_size=32, seed=0)
    return X, y, trainer, monitor


def test_confusion_matrix_counts_and_normalized(tmp_path, trained):
    X, y, trainer, _ = trained
    pred = trainer.predict(X)
    fig = plot.confusion_matrix((y, pred), labels=["a", "b", "c"], path=tmp_path / "cm.png")
    assert _is_png(tmp_path / "cm.png")
    image = fig.axes[0].images[0].get_array()
    from lucidnet.metrics import confusion_matrix

    np.testing.assert_array_equal(image, confusion_matrix(y, pred))
    fig = plot.confusion_matrix(confusion_matrix(y, pred), normalize="true",
                                path=tmp_path / "cmn.png")
    np.testing.assert_allclose(fig.axes[0].images[0].get_array().sum(axis=1), 1.0)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["0", "1", "2"]


def test_roc_curves_binary_and_one_vs_rest(tmp_path, trained):
    X, y, trainer, _ = trained
    fig = plot.roc_curves(y, trainer.predict_proba(X), path=tmp_path / "roc.png")
    assert _is_png(tmp_path / "roc.png")
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert len(labels) == 4 and labels[0].startswith("0 vs rest (AUC = ") and labels[-1] == "chance"
    rng = np.random.default_rng(0)
    yb = rng.integers(0, 2, 100)
    scores = yb + rng.normal(0, 0.8, 100)
    fig = plot.roc_curves(yb, scores, path=tmp_path / "rocb.png")
    assert _is_png(tmp_path / "rocb.png")
    from lucidnet.metrics import roc_auc_score

    assert fig.axes[0].lines[0].get_label() == f"class 1 (AUC = {roc_auc_score(yb, scores):.3f})"


def test_decision_boundary_and_activation_histograms(tmp_path, trained):
    X, y, trainer, _ = trained
    plot.decision_boundary(trainer.predict_proba, X, y, path=tmp_path / "db.png", resolution=60)
    assert _is_png(tmp_path / "db.png")
    fig = plot.activation_histograms(trainer.model, X, path=tmp_path / "act.png")
    assert _is_png(tmp_path / "act.png")
    assert fig.axes[0].get_title().startswith("1 (ReLU)")


def test_gradient_flow_conv_filters(tmp_path, trained):
    *_, monitor = trained
    fig = plot.gradient_flow(monitor.records, path=tmp_path / "gf.png")
    assert _is_png(tmp_path / "gf.png")
    assert len(fig.axes[0].lines) == 5  # one line per epoch
    w = np.random.default_rng(0).standard_normal((8, 3, 5, 5))
    plot.conv_filters(w, path=tmp_path / "filters.png")
    assert _is_png(tmp_path / "filters.png")


def test_lr_finder_and_capacity_figures(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 3)).astype(np.float32)
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.standard_normal(256)
    model = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 1))
    result = lr_find(Trainer(model, "mse", optim.SGD(model.parameters(), lr=0.01), verbose=0),
                     X, y, num_steps=60)
    fig = result.plot(tmp_path / "lr.png")
    assert _is_png(tmp_path / "lr.png")
    assert fig.axes[0].get_xscale() == "log"
    cap = capacity_sweep(lambda h: nn.Sequential(nn.Linear(3, h), nn.ReLU(), nn.Linear(h, 1)),
                         [1, 8], X, y, epochs=3, metric="r2")
    plot.capacity_curve(cap, path=tmp_path / "cap.png")
    assert _is_png(tmp_path / "cap.png")


@pytest.mark.parametrize("call,match", [
    (lambda: plot.confusion_matrix(np.ones((2, 3))), r"square \(n, n\) matrix .* got shape \(2, 3\)"),
    (lambda: plot.confusion_matrix(np.eye(2), normalize="rows"), "normalize must be None"),
    (lambda: plot.confusion_matrix(np.eye(2), labels=["a"]), "labels has 1 names for a 2x2"),
    (lambda: plot.roc_curves([0, 0, 0], [0.1, 0.2, 0.3]), "needs two classes in y_true, got \\[0\\]"),
    (lambda: plot.decision_boundary(lambda z: z, np.ones((4, 3)), np.ones(4)), "shape \\(N, 2\\)"),
    (lambda: plot.conv_filters(np.ones((3, 3))), r"\(out, in, kh, kw\), got \(3, 3\)"),
    (lambda: plot.gradient_flow([]), "needs GradientMonitor.records"),
])
def test_figures_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("setup, env, expected", [
    ("", None, "agg"),                                                # nothing chosen: Agg
    ("import matplotlib; matplotlib.use('svg'); import matplotlib.pyplot", None, "svg"),
    ("", "svg", "svg"),                                               # e.g. a Jupyter kernel's inline
])
def test_pyplot_keeps_a_backend_the_caller_chose(setup, env, expected):
    """lucidnet's figures switch to Agg only when no backend was chosen: a notebook's inline
    backend (set in MPLBACKEND by the kernel) or an imported pyplot's backend is kept, so the
    notebook still shows every figure after a lucidnet.plot call."""
    import os
    import subprocess
    import sys

    environ = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    if env is not None:
        environ["MPLBACKEND"] = env
    code = (f"{setup}\nfrom lucidnet.plot._backend import pyplot\nplt = pyplot()\n"
            "plot_fig = plt.figure()\nprint(plt.get_backend().lower())")
    out = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == expected
