"""Issue 16, the command line: one-line errors (exit 2) instead of tracebacks, no silently
wrong answer (predict's columns, the saved scaler, resume options), safe run folders."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import lucidnet as ln
from lucidnet.cli import main

FAST = ["--epochs", "3", "--quiet", "--lr", "0.01"]


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def iris_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("iris") / "run"
    assert main(["train", "--dataset", "iris", *FAST, "--out", str(run)]) == 0
    return run


def _listing(root):
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, dirs, files in os.walk(root) for f in files + dirs)


def _bad_invocations(run, tmp):
    (tmp / "file").write_text("x")
    (tmp / "folder").mkdir()
    csv = tmp / "x.csv"
    csv.write_text("sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n"
                   "5.1,3.5,1.4,0.2\n")
    tomls = {"dataset = 5": "dataset", "hidden = [0]": "hidden", 'epochs = "x"': "epochs",
             "batch_norm = 3": "batch_norm", "lr = [1]": "lr"}
    cases = []
    for i, (text, needle) in enumerate(tomls.items()):
        (tmp / f"c{i}.toml").write_text(text + "\n")
        cases.append((["train", "--config", str(tmp / f"c{i}.toml")], needle))
    cases += [
        (["train", "--schedule-opt", "Tmax=3"], "--schedule-opt needs --schedule"),
        (["train", "--schedule", "cosine", "--schedule-opt", "Tmax=3"], "accepts"),
        (["train", "--optimizer", "adam", "--momentum", "0.9"], "does not take --momentum"),
        (["train", "--dataset", "mnist"], "--data-path"),
        (["train", "--augment", ",,,"], "names no augmentation"),
        (["train", "--out", str(tmp / "file")], "is an existing file"),
        (["train", "--out", str(tmp / "file" / "sub")], "cannot create the run folder"),
        (["train", "--config", str(tmp / "folder")], "is a folder"),
        (["train", "--resume", str(run), "--epochs", "-5"], "--epochs must be an integer >= 1, got -5"),
        (["train", "--resume", str(run), "--epochs=2"], "already complete"),
        (["train", "--resume", str(run), "--epochs", "3"], "already complete"),
        (["train", "--resume", str(run), "--lr", "0.1"], "cannot change --lr"),
        (["train", "--resume", str(run), "--dataset", "wine", "--epochs=9"], "cannot change --dataset"),
        (["evaluate", str(run), "--out", str(tmp / "file")], "is an existing file"),
        (["predict", str(run), "--input", str(tmp / "folder")], "is a folder"),
        (["predict", str(run), "--input", str(csv), "--output", "/nonexistent/p.csv"],
         "'/nonexistent/p.csv': No such file"),
    ]
    if sys.platform.startswith("linux") and os.path.isdir("/sys"):  # sysfs: no mkdir, even as root
        cases.append((["train", "--out", "/sys/x"], "cannot create the run folder"))
    return cases


def test_bad_invocations_give_one_line_status_2_and_leave_nothing(iris_run, tmp_path, capsys):
    cases = _bad_invocations(iris_run, tmp_path)
    run_files = _listing(iris_run)
    for argv, needle in cases:
        before = _listing(tmp_path)
        code = main(argv)
        err = capsys.readouterr().err.strip()
        assert code == 2, (argv, err)
        assert needle in err and "\n" not in err and "Traceback" not in err, (argv, err)
        assert ".tmp" not in err, (argv, err)
        assert _listing(tmp_path) == before, argv  # no folder or file left behind
        assert _listing(iris_run) == run_files, argv


def test_broken_pipe_exits_quietly(tmp_path):
    for command in ("lab list", "train --help", "--help"):
        proc = subprocess.run(f"{sys.executable} -m lucidnet {command} | head -1", shell=True,
                              capture_output=True, text=True, cwd=tmp_path)
        assert proc.stdout.count("\n") == 1 and proc.stderr == "", (command, proc.stderr)


def test_broken_pipe_in_process(monkeypatch):
    class Closed:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass

    monkeypatch.setattr(sys, "stdout", Closed())
    assert main(["lab", "list"]) == 1


def test_python_dash_m_lucidnet():
    proc = subprocess.run([sys.executable, "-m", "lucidnet", "--version"], capture_output=True,
                          text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("lucidnet ")


def test_resume_applies_epochs_in_equals_form(tmp_path, capsys):
    run = tmp_path / "r"
    assert main(["train", "--dataset", "iris", *FAST, "--out", str(run)]) == 0
    assert main(["train", "--resume", str(run), "--epochs=5", "--quiet"]) == 0
    assert "after epoch 3, training to epoch 5" in capsys.readouterr().out
    assert json.loads((run / "config.json").read_text())["epochs"] == 5
    assert len((run / "history.csv").read_text().splitlines()) == 1 + 5


def test_default_run_folder_is_never_overwritten(capsys):
    argv = ["train", "--dataset", "iris", *FAST]
    assert main(argv) == 0
    first = (os.path.join("runs", "iris-mlp-seed0", "model.npz"))
    stamp = os.stat(first).st_mtime_ns
    assert main(argv) == 0
    assert "this run goes to runs/iris-mlp-seed0-v2" in capsys.readouterr().out
    assert os.stat(first).st_mtime_ns == stamp
    assert os.path.exists(os.path.join("runs", "iris-mlp-seed0-v2", "model.npz"))


def test_explicit_out_holding_a_run_needs_overwrite(iris_run, tmp_path, capsys):
    run = tmp_path / "r"
    assert main(["train", "--dataset", "iris", *FAST, "--out", str(run)]) == 0
    capsys.readouterr()
    assert main(["train", "--dataset", "wine", *FAST, "--out", str(run)]) == 2
    assert "already holds a run" in capsys.readouterr().err
    assert json.loads((run / "config.json").read_text())["dataset"] == "iris"
    assert main(["train", "--dataset", "wine", *FAST, "--out", str(run), "--overwrite"]) == 0
    assert json.loads((run / "metrics.json").read_text())["dataset"] == "wine"


def test_run_folder_lock_refuses_a_live_writer_and_breaks_a_stale_lock(tmp_path, capsys):
    run = tmp_path / "r"
    run.mkdir()
    (run / ".lock").write_text(str(os.getpid()))  # a live process holds it
    assert main(["train", "--dataset", "iris", *FAST, "--out", str(run)]) == 2
    assert f"in use by lucidnet process {os.getpid()}" in capsys.readouterr().err
    assert sorted(os.listdir(run)) == [".lock"]
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (run / ".lock").write_text(str(dead.pid))  # its process is gone: stale
    assert main(["train", "--dataset", "iris", *FAST, "--out", str(run)]) == 0
    assert not (run / ".lock").exists() and (run / "model.npz").exists()


@pytest.mark.parametrize("gate", ["and", "or", "xor"])
def test_logic_gate_datasets_train(gate, tmp_path, capsys):
    assert main(["train", "--dataset", gate, "--epochs", "2", "--quiet", "--out",
                 str(tmp_path / gate)]) == 0
    assert "training and the test set" in capsys.readouterr().out


def test_cli_model_predicts_raw_inputs_through_the_python_api(tmp_path, capsys):
    from sklearn.datasets import load_digits

    run = tmp_path / "digits"
    assert main(["train", "--epochs", "3", "--quiet", "--out", str(run)]) == 0
    digits = load_digits()
    model = ln.load(run / "model.npz")
    model.eval()
    proba = model(digits.data.astype(np.float32)).data
    accuracy = float((proba.argmax(1) == digits.target).mean())
    assert accuracy > 0.9  # the input scaler came with the model (raw inputs gave 0.914 at 30 epochs)
    from lucidnet.runs import prepare_data, read_config

    scaler = prepare_data(read_config(str(run))).scaler  # the training split's statistics
    np.testing.assert_allclose(model[0].mean, scaler.mean_, rtol=1e-6)
    np.testing.assert_allclose(model[0].std, scaler.scale_, rtol=1e-6)
    scaled = ((digits.data - scaler.mean_) / scaler.scale_).astype(np.float32)
    np.testing.assert_allclose(model[1](scaled).data, proba, rtol=1e-4, atol=1e-6)
    capsys.readouterr()
    assert main(["evaluate", str(run), "--dataset", "digits", "--all", "--out",
                 str(tmp_path / "ev")]) == 0
    assert json.loads((tmp_path / "ev" / "metrics.json").read_text())["accuracy"] == \
        pytest.approx(accuracy)
    csv = tmp_path / "raw.csv"  # no header: all-numeric first line is data
    csv.write_text("\n".join(",".join(str(v) for v in row) for row in digits.data[:40]) + "\n")
    capsys.readouterr()
    assert main(["predict", str(run), "--input", str(csv)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 + 40
    assert [int(line.split(",")[0]) for line in lines[1:]] == proba[:40].argmax(1).tolist()


def test_predict_matches_csv_columns_by_name(iris_run, tmp_path, capsys):
    from sklearn.datasets import load_iris

    iris = load_iris()
    names = list(iris.feature_names)

    def predict(header, data):
        path = tmp_path / "in.csv"
        rows = ([",".join(header)] if header else []) + [",".join(map(str, r)) for r in data]
        path.write_text("\n".join(rows) + "\n")
        code = main(["predict", str(iris_run), "--input", str(path)])
        captured = capsys.readouterr()
        return code, captured.out.splitlines(), captured.err

    code, ordered, _ = predict(names, iris.data[:8])
    assert code == 0 and len(ordered) == 9
    code, shuffled, _ = predict(names[::-1], iris.data[:8, ::-1])
    assert code == 0 and shuffled == ordered
    code, headerless, _ = predict(None, iris.data[:8])
    assert code == 0 and headerless == ordered  # the first row is not lost
    code, _, err = predict(["a", "b", "c", "d"], iris.data[:8])
    assert code == 2 and "missing 'sepal length (cm)'" in err and "unexpected 'a'" in err
    code, _, err = predict(names + ["label"], np.c_[iris.data[:8], iris.target[:8]])
    assert code == 2 and "unexpected 'label'" in err and "--target" in err


def test_divergence_before_any_epoch_is_one_clear_line(tmp_path, capsys):
    out = tmp_path / "d"
    assert main(["train", "--lr", "1000", "--optimizer", "sgd", "--epochs", "3", "--quiet",
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: training diverged at epoch 1") and "\n" not in err
    assert "no epoch completed" in err and "learning_curves" not in err
    assert not out.exists()


def test_diagnose_warnings_are_clean_lines(tmp_path, capsys):
    assert main(["train", "--diagnose", "--hidden", "32,32,32,32,32,32", "--activation",
                 "sigmoid", "--epochs", "1", "--quiet", "--out", str(tmp_path / "d")]) == 0
    err = capsys.readouterr().err
    assert "warning: epoch 1: vanishing gradients" in err
    assert "warnings.warn" not in err and ".py:" not in err


def test_older_run_folder_model_with_scaler_in_metadata_still_predicts(iris_run, tmp_path, capsys):
    """model.npz files written before the Standardize layer keep the scaler in their metadata."""
    model, meta = ln.load(iris_run / "model.npz", with_metadata=True)
    scaler = model[0]
    old_meta = {k: v for k, v in meta.items() if k not in ("input_scaler", "feature_names")}
    old_meta.update(scaler_mean=scaler.mean.tolist(), scaler_scale=scaler.std.tolist())
    old = tmp_path / "old.npz"
    ln.save(model[1], old, metadata=old_meta)
    csv = tmp_path / "rows.csv"
    csv.write_text("a,b,c,d\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n")
    capsys.readouterr()
    assert main(["predict", str(old), "--input", str(csv)]) == 0  # no names stored: by position
    from_old = capsys.readouterr().out
    csv.write_text("\n".join(csv.read_text().splitlines()[1:]) + "\n")
    assert main(["predict", str(iris_run), "--input", str(csv)]) == 0
    from_new = capsys.readouterr().out

    def parse(text):
        rows = [line.split(",") for line in text.splitlines()[1:]]
        return [r[0] for r in rows], np.array([[float(v) for v in r[1:]] for r in rows])

    (old_labels, old_p), (new_labels, new_p) = parse(from_old), parse(from_new)
    assert old_labels == new_labels and len(old_labels) == 2
    np.testing.assert_allclose(old_p, new_p, rtol=1e-4, atol=1e-7)


def test_second_concurrent_train_into_the_same_out_is_refused(tmp_path, capsys):
    import signal
    import time

    run = tmp_path / "shared"
    first = subprocess.Popen([sys.executable, "-m", "lucidnet", "train", "--epochs", "500",
                              "--quiet", "--out", str(run)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 120
        while not (run / ".lock").exists() and first.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        assert first.poll() is None, first.stderr.read()
        assert main(["train", "--dataset", "iris", *FAST, "--out", str(run)]) == 2
        err = capsys.readouterr().err
        assert f"in use by lucidnet process {first.pid}" in err and "\n" not in err.strip()
        assert not (run / "model.npz").exists()  # the second writer wrote nothing
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=120)
    if (run / "config.json").exists():  # the first run's options, never the refused one's
        assert json.loads((run / "config.json").read_text())["dataset"] == "digits"


def test_resume_from_a_checkpoint_missing_keys_is_one_line(tmp_path, capsys):
    from lucidnet import io

    run = tmp_path / "r"
    assert main(["train", "--dataset", "iris", *FAST, "--out", str(run)]) == 0
    state = io.load_state(run / "last.npz")
    del state["trainer"]["epoch"]
    io.save_state(run / "last.npz", state)
    capsys.readouterr()
    assert main(["train", "--resume", str(run), "--epochs", "5"]) == 2
    err = capsys.readouterr().err.strip()
    assert "last.npz" in err and "\n" not in err and "Traceback" not in err
