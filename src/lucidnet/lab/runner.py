"""Run several claims with a progress display (docs/ideas.md; issue 6), here or in parallel (issue 11).

    runs = run_claims([12, 13], seed=0, size="quick")
    runs = run_claims(None, jobs=4)                          # 4 worker processes
    runs = run_claims(None, scheduler="tcp://10.0.0.5:8786")  # a Dask cluster
    for r in runs:
        print(r.claim.id, r.status, r.seconds)

An experiment that raises is not dropped: its entry has ``result=None``, ``status == "failed"`` and
the traceback in ``error``, and the next claim runs. Every claim starts from
``lucidnet.manual_seed(seed)``, so where it runs does not change its numbers or its verdict.
"""

from __future__ import annotations

import contextlib
import numbers
import time
import traceback
from dataclasses import dataclass

from .registry import CLAIMS, SIZES, Claim, Result, _load_all, get_claim, run_claim

__all__ = ["ClaimRun", "all_claim_ids", "blas_single_thread", "run_claims"]


@dataclass
class ClaimRun:
    """One claim's run: its `Claim`, the `Result` (None if the experiment raised) and the
    traceback text of the failure.

    Examples
    --------
    >>> from lucidnet.lab.registry import CLAIMS, Check, claim, judge
    >>> @claim(981, "toy: one is less than two", "1 < 2", "nowhere", ("X1",))
    ... def toy(seed, size):
    ...     return judge([Check("order", "one", 1, "<", "two", 2)], "Two numbers.", {"one": 1})
    >>> from lucidnet.lab.runner import run_claims
    >>> run = run_claims([981], progress=False)[0]; _ = CLAIMS.pop(981)
    >>> run.claim.id, run.status, run.error, run.size
    (981, 'holds', None, 'quick')
    """

    claim: Claim
    result: Result | None
    error: str | None = None
    seconds: float = 0.0
    seed: int = 0
    size: str = "quick"

    @property
    def status(self) -> str:
        """The verdict, or "failed" when the experiment raised."""
        return "failed" if self.result is None else self.result.verdict


@contextlib.contextmanager
def blas_single_thread():
    """Run with one BLAS thread (if threadpoolctl is installed): the lab's matrices are small,
    and on a busy 2-core machine BLAS threads waiting on each other made runs 3-4x slower.

    Examples
    --------
    >>> from lucidnet.lab.runner import blas_single_thread
    >>> with blas_single_thread():                # one BLAS thread inside, the default after
    ...     product = np.ones((2, 3)) @ np.ones((3, 2))
    >>> product.tolist()
    [[3.0, 3.0], [3.0, 3.0]]
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: without it the BLAS default stays
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def all_claim_ids() -> list[int]:
    """Every registered claim id, in order.

    Examples
    --------
    >>> from lucidnet.lab.runner import all_claim_ids
    >>> ids = all_claim_ids()
    >>> ids[:3], ids == sorted(ids)
    ([1, 2, 3], True)
    """
    _load_all()
    return sorted(CLAIMS)


def _run_one(c: Claim, seed: int, size: str) -> ClaimRun:
    start = time.perf_counter()
    try:
        result = run_claim(c.id, seed=seed, size=size)
    except Exception:  # noqa: BLE001 -- kept in the entry and the report, never dropped
        return ClaimRun(c, None, traceback.format_exc(), time.perf_counter() - start, seed, size)
    return ClaimRun(c, result, None, result.seconds, seed, size)


def _run_in_worker(c: Claim, seed: int, size: str) -> tuple:
    """A worker's task: run claim ``c`` (registered here too if this process lacks it, e.g. a
    test's claim) and return ``(result, error, seconds)``, its figures closed in this process."""
    _load_all()
    CLAIMS.setdefault(c.id, c)
    run = _run_one(c, seed, size)
    if run.result is not None and run.result.figures:
        from ..plot._backend import pyplot

        plt = pyplot()
        for fig in run.result.figures:
            plt.close(fig)  # they travel back pickled; the worker keeps none open
    return run.result, run.error, run.seconds


def _lost(c: Claim, err: Exception, seed: int, size: str) -> ClaimRun:
    text = (f"the worker running claim {c.id} failed: {type(err).__name__}: {err}\n"
            "(a crashed or killed worker process, or a result that could not be sent back)")
    return ClaimRun(c, None, text, 0.0, seed, size)


def run_claims(ids=None, seed: int = 0, size: str = "quick", progress: bool = True,
               jobs: int = 1, scheduler: str | None = None) -> list[ClaimRun]:
    """Run the claims ``ids`` (default: all) and return one `ClaimRun` per claim, in order.

    Unknown ids raise ``ValueError`` before anything runs. ``progress`` shows one tqdm bar over
    the claims (on stderr): the claim now running, or in parallel the last one finished.
    ``jobs=N`` runs N claims at once in worker processes (``-1``: one per core; one BLAS thread
    each), ``scheduler="tcp://host:port"`` on a Dask cluster (``lucidnet[cluster]``); the
    numbers and verdicts are those of the serial run. A claim whose worker dies is a failed
    entry like one that raises. Ctrl-C stops the workers and raises ``KeyboardInterrupt``.

    Examples
    --------
    A toy claim (the real ones train models for seconds) and one that raises:

    >>> from lucidnet.lab.registry import CLAIMS, Check, claim, judge
    >>> @claim(982, "toy: one is less than two", "1 < 2", "nowhere", ("X1",))
    ... def toy(seed, size):
    ...     return judge([Check("order", "one", 1, "<", "two", 2)], "Two numbers.", {"one": 1})
    >>> @claim(983, "toy: broken", "", "nowhere", ("X1",))
    ... def broken(seed, size):
    ...     raise RuntimeError("no data")
    >>> from lucidnet.lab.runner import run_claims
    >>> runs = run_claims([982, 983], progress=False); _ = CLAIMS.pop(982), CLAIMS.pop(983)
    >>> [r.status for r in runs], runs[1].error.splitlines()[-1]
    (['holds', 'failed'], 'RuntimeError: no data')
    >>> run_claims([982], size="huge")
    Traceback (most recent call last):
    ...
    ValueError: size must be one of ('quick', 'full'), got 'huge'
    """
    from ..sweep import check_jobs

    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, got {size!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    workers = check_jobs(jobs, "jobs")
    if scheduler is not None and workers != 1:
        raise ValueError("jobs and scheduler are exclusive: the Dask cluster decides how many "
                         "claims run at once")
    claims = [get_claim(i) for i in (all_claim_ids() if ids is None else ids)]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(claims), unit="claim", desc="lab", dynamic_ncols=True)
    try:
        if workers == 1 and scheduler is None:
            return _serial(claims, seed, size, bar)
        return _parallel(claims, seed, size, bar, workers, scheduler)
    finally:
        if bar is not None:
            bar.close()


def _serial(claims, seed, size, bar) -> list[ClaimRun]:
    runs = []
    with blas_single_thread():
        for c in claims:
            if bar is not None:
                bar.set_description(f"claim {c.id}: {c.title[:48]}")
            runs.append(_run_one(c, seed, size))
            if bar is not None:
                bar.set_postfix_str(runs[-1].status)
                bar.update(1)
    return runs


def _parallel(claims, seed, size, bar, workers, scheduler) -> list[ClaimRun]:
    from ..sweep import run_parallel

    if bar is not None:
        where = scheduler if scheduler is not None else f"{workers} processes"
        bar.set_description(f"lab ({where})")
    runs: list = [None] * len(claims)
    tasks = [(c, seed, size) for c in claims]
    gen = run_parallel(_run_in_worker, tasks, workers, scheduler)
    try:
        for i, outcome, err in gen:
            c = claims[i]
            if err is not None:
                runs[i] = _lost(c, err, seed, size)
            else:
                result, error, seconds = outcome
                runs[i] = ClaimRun(c, result, error, seconds, seed, size)
            if bar is not None:
                bar.set_postfix_str(f"claim {c.id}: {runs[i].status}")
                bar.update(1)
    finally:
        gen.close()
    return runs
