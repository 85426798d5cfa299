"""Every tutorial (jupytext percent-format source under docs/tutorials/) runs as a notebook from
top to bottom without an error, in a kernel of this interpreter, and draws its figures."""

import json
import os
import sys
from pathlib import Path

import pytest

TUTORIALS = sorted((Path(__file__).resolve().parents[2] / "docs" / "tutorials").glob("[0-9][0-9]_*.py"))


def test_the_tutorials_are_there():
    assert len(TUTORIALS) >= 2


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory):
    """A kernelspec that runs ``sys.executable`` (the venv's python), installed in a temporary
    Jupyter data folder so that no kernel of another interpreter is picked."""
    pytest.importorskip("ipykernel")
    from jupyter_client.kernelspec import KernelSpecManager

    data = tmp_path_factory.mktemp("jupyter-data")
    spec = data / "kernels" / "lucidnet-tests"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "lucidnet tests", "language": "python"}), encoding="utf-8")
    previous = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(data)
    assert KernelSpecManager().get_kernel_spec("lucidnet-tests").argv[0] == sys.executable
    yield "lucidnet-tests"
    if previous is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = previous


@pytest.mark.slow
@pytest.mark.parametrize("source", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_runs_and_draws(source, kernel_name, tmp_path, monkeypatch):
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    notebook = jupytext.read(source, fmt="py:percent")
    monkeypatch.delenv("MPLBACKEND", raising=False)   # the kernel's inline backend draws PNGs
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    client = nbclient.NotebookClient(notebook, kernel_name=kernel_name, timeout=120,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()          # raises CellExecutionError naming the cell on any error
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    figures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert figures, f"{source.name} drew no figure"
    assert all(len(f["data"]["image/png"]) > 1000 for f in figures)   # real pictures, not blanks
