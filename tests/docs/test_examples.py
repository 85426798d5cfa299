"""The scripts of examples/ run as a reader runs them (a subprocess, small defaults) and print
what they promise."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(name: str, tmp_path, *args: str, env: dict | None = None) -> str:
    proc = subprocess.run([sys.executable, str(EXAMPLES / name), *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300,
                          env=None if env is None else {**os.environ, **env})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def _number(pattern: str, out: str) -> float:
    match = re.search(pattern, out)
    assert match, f"{pattern!r} not in the output:\n{out}"
    return float(match.group(1))


def test_every_example_says_what_it_shows_and_how_to_run_it():
    scripts = sorted(EXAMPLES.glob("*.py"))
    assert {p.name for p in scripts} >= {"own_csv.py", "cnn_digits.py", "custom_module.py",
                                         "sklearn_pipeline.py"}
    for script in scripts:
        doc = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8")))
        assert doc and f"python examples/{script.name}" in doc, script.name


def test_own_csv_trains_with_the_api_and_the_cli(tmp_path):
    out = _run("own_csv.py", tmp_path)
    for kind in ("API", "CLI"):
        accuracy = float(re.search(rf"{kind} test accuracy: ([0-9.]+)", out).group(1))
        assert accuracy > 0.85, out
    assert not list(tmp_path.iterdir())        # everything went to a temporary folder


def test_cnn_digits_trains_saves_loads_and_predicts(tmp_path):
    out = _run("cnn_digits.py", tmp_path)
    trained = _number(r"test accuracy \(trained model\): ([0-9.]+)", out)
    loaded = _number(r"test accuracy \(loaded model\): ([0-9.]+)", out)
    assert trained > 0.93, out                  # about 0.97 with the defaults
    assert loaded == trained, out
    assert "same predictions: True" in out, out
    assert "loaded: Sequential with 8 layers" in out, out
    assert not list(tmp_path.iterdir())        # the model went to a temporary folder


def test_cnn_digits_keeps_the_model_where_asked(tmp_path):
    import numpy as np

    import lucidnet as ln

    out = _run("cnn_digits.py", tmp_path, "--epochs", "2", "--out", "digits.npz")
    assert (tmp_path / "digits.npz").is_file(), out
    model = ln.load(tmp_path / "digits.npz")   # a second process reads what the script wrote
    model.eval()
    with ln.no_grad():
        logits = model(ln.zeros(3, 1, 8, 8)).numpy()
    assert logits.shape == (3, 10) and np.isfinite(logits).all()
    assert _number(r"test accuracy \(loaded model\): ([0-9.]+)", out) > 0.3   # 2 epochs: > chance


def test_custom_module_passes_gradcheck_and_trains(tmp_path):
    out = _run("custom_module.py", tmp_path)
    assert "gradcheck: True" in out, out
    assert _number(r"largest difference from built-in ops .*: ([0-9.e+-]+)", out) < 1e-12, out
    assert "LearnableSwish(features=32)" in out, out
    assert _number(r"test accuracy: ([0-9.]+)", out) > 0.9, out      # 1.0 with the defaults
    moves = [float(m) for m in re.findall(r"beta: largest change from 1 = ([0-9.]+)", out)]
    assert len(moves) == 2 and min(moves) > 0.05, out                 # the Parameters learned


def test_sklearn_pipeline_grid_searches_and_scores(tmp_path):
    pytest.importorskip("sklearn")
    out = _run("sklearn_pipeline.py", tmp_path)
    best = ast.literal_eval(re.search(r"best params: (\{.*\})", out).group(1))
    assert set(best) == {"net__hidden_layer_sizes", "net__lr"}, out
    assert best["net__hidden_layer_sizes"] in [(8,), (32,)] and best["net__lr"] in [1e-3, 1e-2]
    assert len(re.findall(r"cv accuracy ([0-9.]+) \+- ", out)) == 4, out   # the 2 x 2 grid
    grid_scores = [float(s) for s in re.findall(r"cv accuracy ([0-9.]+) \+- ", out)]
    best_cv = _number(r"best cv accuracy: ([0-9.]+)", out)
    assert best_cv == max(grid_scores) and best_cv > 0.85, out       # about 0.97
    assert _number(r"test accuracy of the best pipeline: ([0-9.]+)", out) > 0.85, out
    assert 0 <= _number(r"cv accuracy without StandardScaler: ([0-9.]+)", out) <= 1


def test_sklearn_pipeline_without_sklearn_says_so(tmp_path):
    blocker = tmp_path / "blocked" / "sklearn"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('scikit-learn hidden by the test')\n")
    out = _run("sklearn_pipeline.py", tmp_path,
               env={"PYTHONPATH": str(blocker.parent)})
    assert "scikit-learn is not installed" in out and "pip install scikit-learn" in out, out
    assert "best params" not in out
