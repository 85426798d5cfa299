"""Shared benchmark plumbing: run a workload in a fresh subprocess, report time and peak memory."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys


def rss_bytes() -> int:
    """Resident set size now (Linux /proc)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_isolated(script: str, function: str, **kwargs) -> dict:
    """Run ``function(**kwargs)`` from ``script`` in a fresh Python process; return its JSON result.

    A fresh process per measurement keeps one framework's memory and thread pools from
    influencing the other's numbers."""
    code = (f"import json, sys; sys.path.insert(0, {os.path.dirname(os.path.abspath(script))!r}); "
            f"import {os.path.splitext(os.path.basename(script))[0]} as m; "
            f"print('RESULT' + json.dumps(m.{function}(**json.loads(sys.argv[1]))))")
    env = dict(os.environ)
    # older OpenBLAS workarounds slow a current NumPy down; benchmarks run without them
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(kwargs)], capture_output=True,
                          text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{function} failed:\n{proc.stderr}")
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")][-1]
    return json.loads(line[len("RESULT"):])
