"""Run several claims one after another with a progress display (SPEC L, issue 6).

    runs = run_claims([12, 13], seed=0, size="quick")
    for r in runs:
        print(r.claim.id, r.status, r.seconds)

An experiment that raises is not dropped: its entry has ``result=None``, ``status == "failed"`` and
the traceback in ``error``, and the next claim runs.
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
    traceback text of the failure."""

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
    and on a busy 2-core machine BLAS threads waiting on each other made runs 3-4x slower."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: without it the BLAS default stays
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def all_claim_ids() -> list[int]:
    """Every registered claim id, in order."""
    _load_all()
    return sorted(CLAIMS)


def _run_one(c: Claim, seed: int, size: str) -> ClaimRun:
    start = time.perf_counter()
    try:
        result = run_claim(c.id, seed=seed, size=size)
    except Exception:  # noqa: BLE001 -- kept in the entry and the report, never dropped
        return ClaimRun(c, None, traceback.format_exc(), time.perf_counter() - start, seed, size)
    return ClaimRun(c, result, None, result.seconds, seed, size)


def run_claims(ids=None, seed: int = 0, size: str = "quick", progress: bool = True) -> list[ClaimRun]:
    """Run the claims ``ids`` (default: all) in order and return one `ClaimRun` per claim.

    Unknown ids raise ``ValueError`` before anything runs. ``progress`` shows one tqdm bar over
    the claims (on stderr) whose description is the claim now running.
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, got {size!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    claims = [get_claim(i) for i in (all_claim_ids() if ids is None else ids)]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(claims), unit="claim", desc="lab", dynamic_ncols=True)
    runs = []
    try:
        with blas_single_thread():
            for c in claims:
                if bar is not None:
                    bar.set_description(f"claim {c.id}: {c.title[:48]}")
                runs.append(_run_one(c, seed, size))
                if bar is not None:
                    bar.set_postfix_str(runs[-1].status)
                    bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return runs
