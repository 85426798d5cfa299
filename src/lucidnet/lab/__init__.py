"""The lab: each claim of the notes as a runnable experiment with a figure and a verdict (SPEC L)."""

from .registry import CLAIMS, SIZES, VERDICTS, Claim, Result, claim, get_claim, run_claim

__all__ = ["CLAIMS", "SIZES", "VERDICTS", "Claim", "Result", "claim", "get_claim", "run_claim"]
