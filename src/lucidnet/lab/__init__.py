"""The lab: each claim of the notes as a runnable experiment with a figure and a verdict."""

from .registry import (
    CLAIMS,
    RULE,
    SIZES,
    VERDICTS,
    Check,
    Claim,
    Result,
    claim,
    get_claim,
    judge,
    run_claim,
)

__all__ = ["CLAIMS", "RULE", "SIZES", "VERDICTS", "Check", "Claim", "Result", "claim", "get_claim",
           "judge", "run_claim"]
