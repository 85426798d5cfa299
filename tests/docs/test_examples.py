"""The scripts of examples/ run as a reader runs them (a subprocess, small defaults) and print
what they promise."""

import re
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(name: str, tmp_path) -> str:
    proc = subprocess.run([sys.executable, str(EXAMPLES / name)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_own_csv_trains_with_the_api_and_the_cli(tmp_path):
    out = _run("own_csv.py", tmp_path)
    for kind in ("API", "CLI"):
        accuracy = float(re.search(rf"{kind} test accuracy: ([0-9.]+)", out).group(1))
        assert accuracy > 0.85, out
    assert not list(tmp_path.iterdir())        # everything went to a temporary folder
