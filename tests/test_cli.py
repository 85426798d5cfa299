"""The `lucidnet` command: the main job, its run folder, and one-line errors with exit status 2."""

import json
import subprocess
import sys

import numpy as np
import pytest

from lucidnet.cli import main


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path, monkeypatch):
    """Commands without --out write runs/... into the current folder: make it a temporary one."""
    monkeypatch.chdir(tmp_path)


def test_train_writes_a_complete_run_folder(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--epochs", "3", "--quiet", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "test accuracy" in printed and "confusion matrix" in printed and "macro avg" in printed
    for name in ("model.npz", "history.csv", "metrics.json", "learning_curve.png"):
        assert (out / name).stat().st_size > 0
    report = json.loads((out / "metrics.json").read_text())
    assert report["epochs_run"] == 3 and 0.5 < report["test"]["accuracy"] <= 1
    assert np.array(report["confusion_matrix"]).sum() == 360


@pytest.mark.slow
def test_default_train_reaches_97_percent_deterministically(tmp_path):
    accs = []
    for run in ("a", "b"):
        assert main(["train", "--quiet", "--out", str(tmp_path / run)]) == 0
        accs.append(json.loads((tmp_path / run / "metrics.json").read_text())["test"]["accuracy"])
    assert accs[0] >= 0.97 and accs[0] == accs[1]


def test_regression_dataset_prints_r2_band(tmp_path, capsys):
    assert main(["train", "--dataset", "diabetes", "--epochs", "5", "--quiet", "--lr", "0.01",
                 "--out", str(tmp_path / "r")]) == 0
    assert "test R^2" in capsys.readouterr().out


@pytest.mark.parametrize("argv,needle", [
    (["train", "--dataset", "imagenet"], "unknown dataset 'imagenet'; valid: digits"),
    (["train", "--optimizer", "adamz"], "unknown optimizer 'adamz'; valid: sgd"),
    (["train", "--activation", "swish"], "unknown activation 'swish'; valid: relu"),
    (["train", "--schedule", "sometimes"], "unknown schedule 'sometimes'"),
    (["train", "--lr", "-1"], "--lr must be a finite number in (0.0, inf), got -1.0"),
    (["train", "--lr", "inf"], "--lr must be a finite number"),
    (["train", "--l2", "-0.1"], "--l2 must be a finite number in [0.0, inf), got -0.1"),
    (["train", "--dropout", "1"], "--dropout must be a finite number in [0.0, 1.0), got 1.0"),
    (["train", "--epochs", "0"], "--epochs must be an integer >= 1, got 0"),
    (["train", "--train-fraction", "0"], "--train-fraction must be a finite number in (0.0, 1.0]"),
    (["train", "--batch-size", "0"], "--batch-size must be an integer >= 1, got 0"),
    (["train", "--hidden", "12,x"], "comma-separated integers"),
    (["train", "--model", "cnn", "--dataset", "iris"], "needs image or signal data"),
    (["train", "--dataset", "mnist"], "needs --data-path FOLDER"),
    (["frobnicate"], "invalid choice"),
    (["playground", "--port", "70000"], "--port must be an integer in [0, 65535], got 70000"),
])
def test_user_mistakes_give_one_line_and_status_2(argv, needle, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and "\n" not in err and "Traceback" not in err


def test_help_is_clear():
    proc = subprocess.run([sys.executable, "-m", "lucidnet.cli", "train", "--help"],
                          capture_output=True, text=True)
    assert proc.returncode == 0
    for flag in ("--dataset", "--hidden", "--activation", "--optimizer", "--lr", "--epochs",
                 "--batch-size", "--seed", "--out", "--schedule"):
        assert flag in proc.stdout


def test_config_file_sets_defaults_and_flags_win(tmp_path, capsys):
    cfg = tmp_path / "run.toml"
    cfg.write_text('epochs = 2\nhidden = [16]\nactivation = "tanh"\nschedule = "cosine"\n'
                   'schedule_opt = {T_max = 2}\ndropout = 0.1\n')
    out = tmp_path / "run"
    assert main(["train", "--config", str(cfg), "--epochs", "3", "--batch-norm", "--init",
                 "he_normal", "--quiet", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Linear(in_features=64, out_features=16" in printed and "Tanh()" in printed
    assert "BatchNorm1d(16" in printed and "Dropout(p=0.1, inplace=False)" in printed
    assert json.loads((out / "metrics.json").read_text())["epochs_run"] == 3  # the flag won
    bad = tmp_path / "bad.toml"
    bad.write_text("epochz = 3\n")
    assert main(["train", "--config", str(bad)]) == 2
    assert "unknown option 'epochz'" in capsys.readouterr().err
    assert main(["train", "--init", "glorious"]) == 2
    assert "unknown initializer 'glorious'" in capsys.readouterr().err


@pytest.mark.slow
def test_resume_after_sigterm_equals_uninterrupted_run(tmp_path):
    """SPEC issue 5: Ctrl-C / SIGTERM saves a checkpoint; --resume ends with identical weights."""
    import os
    import signal
    import time

    import lucidnet as ln

    options = ["--epochs", "25", "--batch-size", "8", "--dropout", "0.2", "--schedule", "step",
               "--augment", "rotate=5,noise=0.05", "--quiet", "--seed", "3"]
    full = tmp_path / "full"
    assert main(["train", *options, "--out", str(full)]) == 0
    part = tmp_path / "part"
    proc = subprocess.Popen([sys.executable, "-m", "lucidnet.cli", "train", *options, "--out", str(part)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (part / "last.npz").exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert "--resume" in out and not (part / "model.npz").exists()
    assert main(["train", "--resume", str(part), "--quiet"]) == 0
    a, b = ln.load(full / "model.npz"), ln.load(part / "model.npz")
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb
        np.testing.assert_array_equal(va, vb)
    history = (part / "history.csv").read_text().splitlines()
    assert len(history) == 26 and os.path.exists(part / "best.npz")


def test_evaluate_and_predict_saved_model(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "--dataset", "iris", "--epochs", "40", "--lr", "0.01", "--quiet",
                 "--out", str(run)]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(run)]) == 0
    printed = capsys.readouterr().out
    assert "held-out test split" in printed and "test accuracy" in printed
    assert (run / "evaluation" / "confusion_matrix.png").stat().st_size > 0
    assert main(["evaluate", str(run / "model.npz"), "--dataset", "iris", "--all", "--out", str(tmp_path / "ev")]) == 0
    assert "whole dataset, 150 samples" in capsys.readouterr().out
    from sklearn.datasets import load_iris

    iris = load_iris()
    csv = tmp_path / "flowers.csv"
    rows = [",".join(iris.feature_names)] + [",".join(map(str, r)) for r in iris.data[:5]]
    csv.write_text("\n".join(rows) + "\n")
    assert main(["predict", str(run / "model.npz"), "--input", str(csv), "--output",
                 str(tmp_path / "pred.csv")]) == 0
    pred = (tmp_path / "pred.csv").read_text().splitlines()
    assert pred[0].startswith("prediction,p_setosa") and len(pred) == 6
    assert all(line.split(",")[0] == "setosa" for line in pred[1:])
    assert main(["predict", str(run / "model.npz"), "--input", str(tmp_path / "none.csv")]) == 2
    assert "no such input file" in capsys.readouterr().err
    (tmp_path / "ragged.csv").write_text("a,b,c,d\n1,2,3,4\n1,2,3\n")
    assert main(["predict", str(run), "--input", str(tmp_path / "ragged.csv")]) == 2
    assert "line 3 has 3 fields" in capsys.readouterr().err
    assert main(["evaluate", str(tmp_path / "nothing")]) == 2
