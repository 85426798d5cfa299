"""The exported script reproduces the run exactly; the exported model loads."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest

import lucidnet
from lucidnet.autograd.tensor import Tensor, no_grad
from lucidnet.playground.csvdata import parse_csv
from lucidnet.playground.engine import PlaygroundSession
from lucidnet.playground.export import export_script, model_bytes


def _run(script: str, tmp_path) -> tuple:
    path = tmp_path / "reproduce.py"
    path.write_text(script)
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    *_, train, test = out.stdout.strip().splitlines()
    assert train.startswith("train loss ") and test.startswith("test loss ")
    return float(train.split()[-1]), float(test.split()[-1])


def _check(session, tmp_path):
    train, test = _run(export_script(session), tmp_path)
    loss = session.losses()
    assert train == pytest.approx(loss["train"], rel=1e-6)
    assert test == pytest.approx(loss["test"], rel=1e-6)


def test_default_run_reproduces(tmp_path):
    s = PlaygroundSession({"dataset": "xor", "networkShape": [4, 2], "seed": "0.55440"})
    s.step(120)
    _check(s, tmp_path)


def test_everything_at_once_reproduces(tmp_path):
    s = PlaygroundSession({"dataset": "spiral", "noise": 20, "networkShape": [6, 3],
                           "activation": "relu", "optimizer": "adam", "schedule": "cosine",
                           "scheduleSteps": 50, "init": "he", "batchNorm": True,
                           "dropout": 0.2, "inputNoise": 0.1, "regularization": "L1",
                           "regularizationRate": 0.001, "sinX": True, "xTimesY": True,
                           "percTrainData": 70, "batchSize": 16})
    s.step(80)
    _check(s, tmp_path)


def test_changes_during_the_run_reproduce(tmp_path):
    s = PlaygroundSession({"problem": "regression", "regDataset": "reg-gauss",
                           "optimizer": "momentum", "networkShape": [5]})
    s.step(30)
    s.update({"learningRate": 0.01, "batchSize": 3})
    s.step(25)
    s.update({"regularization": "L2", "regularizationRate": 0.01})
    s.step(10)
    assert len(s.segments) == 3
    _check(s, tmp_path)


def test_csv_run_reproduces(tmp_path):
    text = "p,q,label\n" + "".join(f"{np.sin(i):.5f},{np.cos(3 * i):.5f},{i % 2}\n"
                                   for i in range(80))
    s = PlaygroundSession({"networkShape": [3]})
    s.set_csv(parse_csv(text.encode()))
    s.step(40)
    _check(s, tmp_path)


def test_zero_steps_reproduces(tmp_path):
    _check(PlaygroundSession({"initZero": True, "networkShape": [2]}), tmp_path)


def test_model_npz_is_the_trained_network():
    s = PlaygroundSession({"dataset": "gauss", "networkShape": [3, 2], "batchNorm": True})
    s.step(30)
    model, meta = lucidnet.load(io.BytesIO(model_bytes(s)), with_metadata=True)
    assert meta["steps"] == 30 and meta["features"] == ["x", "y"]
    model.eval()
    with no_grad():
        out = model(Tensor(s.X_test)).data
    np.testing.assert_allclose(out, s._predict(s.X_test), rtol=1e-12)


def test_model_npz_of_a_diverged_run_still_exports():
    s = PlaygroundSession({"preset": "lr-too-high"})
    s.step(300)
    assert s.diverged
    assert len(model_bytes(s)) > 0
