"""The README's Python code blocks run as written, in order, in one namespace (as a reader pastes
them into one session), in a scratch folder."""

import os
import re

import numpy as np

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")


def _python_blocks() -> list[str]:
    with open(README, encoding="utf-8") as f:
        return re.findall(r"```python\n(.*?)```", f.read(), flags=re.S)


def test_readme_has_python_blocks():
    assert len(_python_blocks()) >= 3


def test_readme_python_blocks_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__readme__"}
    for i, block in enumerate(_python_blocks()):
        code = compile(block, f"README.md python block {i}", "exec")
        exec(code, namespace)  # noqa: S102 - the project's own README
    # A taste really trained and saved the digits model
    assert (tmp_path / "model.npz").exists()
    assert namespace["trainer"].evaluate(namespace["X_test"], namespace["y_test"])["accuracy"] > 0.8
    assert np.isfinite(float(namespace["loss"].item()))
    assert "epoch 2: loss" in capsys.readouterr().out
