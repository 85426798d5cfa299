from pathlib import Path

import numpy as np
import pytest

import lucidnet

_REPO = Path(__file__).resolve().parent.parent
_OUTPUT_FOLDERS = ("runs", "lab-out", "evaluation", "lucidnet-runs")  # the commands' defaults


@pytest.fixture(autouse=True)
def _seed_and_dtype():
    """Every test starts from seed 0 and the float32 default."""
    lucidnet.manual_seed(0)
    lucidnet.set_default_dtype(np.float32)
    yield
    lucidnet.set_default_dtype(np.float32)


def _outputs_in_repo() -> set:
    found = set()
    for name in _OUTPUT_FOLDERS:
        folder = _REPO / name
        if folder.exists():
            found.add(name)
            if folder.is_dir():
                found.update(f"{name}/{child.name}" for child in folder.iterdir())
    return found


@pytest.fixture(scope="session", autouse=True)
def _tests_write_only_to_tmp_path():
    """Tests write only to temporary folders: a run folder appearing in the repository (a
    command run without --out from the repository root) fails the session."""
    before = _outputs_in_repo()
    yield
    new = sorted(_outputs_in_repo() - before)
    assert not new, f"tests wrote {new} into the repository; give them tmp_path (or chdir to it)"


@pytest.fixture(scope="module")
def dask_cluster():
    """A 2-worker Dask ``LocalCluster`` (processes, one thread each) for one test module;
    skips without ``distributed``."""
    distributed = pytest.importorskip("distributed")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           dashboard_address=None)
    try:
        yield cluster
    finally:
        cluster.close()


# pytest-xdist (``-n 2 --dist loadgroup``, the default options): each module runs on one worker,
# so its module-scoped fixtures (servers, clusters) start once; the modules that start processes
# of their own (MPI ranks, worker pools, browsers, the program pairs) share one group, so one
# worker runs them one after another while the other runs the in-process tests.
_PROCESS_MODULES = {
    "tests.compat.test_programs", "tests.lab.test_lab_jobs", "tests.distributed.test_cli_mpi",
    "tests.distributed.test_trainer_mpi", "tests.playground.test_load", "tests.test_sweep",
    "tests.distributed.test_ddp", "tests.playground.test_browser", "tests.distributed.test_faults",
    "tests.distributed.test_issue11_review", "tests.utils.test_workers",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        name = getattr(item.module, "__name__", item.nodeid.split("::")[0])
        group = "processes" if name in _PROCESS_MODULES else name
        item.add_marker(pytest.mark.xdist_group(group))
