"""The lab's registry: every claim of the notes is an experiment (SPEC L1-L22).

An experiment is a function ``run(seed: int, size: str) -> Result`` registered with `@claim`.
``size`` is "quick" (seconds: tests and CI) or "full" (a real run). It trains real lucidnet models and
measures; nothing in a `Result` is a constant copied from the notes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Result", "Claim", "claim", "CLAIMS", "get_claim", "run_claim", "VERDICTS", "SIZES"]

VERDICTS = ("holds", "does not hold", "corrected")
SIZES = ("quick", "full")


@dataclass
class Result:
    """What an experiment measured.

    verdict : "holds", "does not hold" or "corrected" (the notes are wrong: SPEC Errata)
    explanation : one sentence, in the notes' own terms, saying why
    numbers : measured quantities (name -> number / short list / string), shown in the report
    figures : matplotlib Figures (the report embeds them as PNG)
    """

    verdict: str
    explanation: str
    numbers: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)
    seconds: float = 0.0

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")


@dataclass(frozen=True)
class Claim:
    id: int
    title: str
    statement: str  # the claim as the notes make it
    seed_row: str  # where the notes say it, e.g. "seed 003 ACTIVATION FUNCTIONS"
    spec: tuple  # SPEC rows exercised, e.g. ("B3", "B4")
    run: Callable


CLAIMS: dict[int, Claim] = {}


def claim(id: int, title: str, statement: str, seed_row: str, spec: tuple):
    """Register ``run(seed, size) -> Result`` as the experiment for claim ``id``."""
    def register(fn):
        if id in CLAIMS:
            raise ValueError(f"claim {id} registered twice")
        CLAIMS[id] = Claim(id, title, statement, seed_row, tuple(spec), fn)
        return fn
    return register


def _load_all() -> None:
    from . import experiments  # noqa: F401  (importing registers every claim)


def get_claim(id: int) -> Claim:
    _load_all()
    try:
        return CLAIMS[int(id)]
    except (KeyError, ValueError):
        raise ValueError(f"unknown claim {id!r}; valid ids: {', '.join(map(str, sorted(CLAIMS)))}") from None


def run_claim(id: int, seed: int = 0, size: str = "quick") -> Result:
    """Run one claim's experiment with a fixed seed, timing it."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, got {size!r}")
    c = get_claim(id)
    from ..random import manual_seed

    manual_seed(seed)
    start = time.perf_counter()
    result = c.run(seed=seed, size=size)
    result.seconds = time.perf_counter() - start
    return result
