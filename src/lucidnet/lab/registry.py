"""The lab's registry: every claim of the notes is an experiment (docs/ideas.md).

An experiment is a function ``run(seed: int, size: str) -> Result`` registered with `@claim`.
``size`` is "quick" (seconds: tests and CI) or "full" (a real run). It trains real lucidnet models and
measures; nothing in a `Result` is a constant copied from the notes.

The verdict is never typed in by hand: an experiment states its rule as a list of `Check` s, one
comparison of measured numbers each, and `judge` maps them to the verdict and writes the sentence
from the same numbers (the relation printed is the one the numbers have), so the wording cannot
contradict the table. The rule, shown with every result:

* "holds": every check passes;
* "partly holds": some pass, some fail (the failed ones are named);
* "does not hold": none passes.
"""

from __future__ import annotations

import math
import operator
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..random import manual_seed

__all__ = ["Result", "Check", "judge", "Claim", "claim", "CLAIMS", "get_claim", "run_claim",
           "VERDICTS", "SIZES", "RULE"]

VERDICTS = ("holds", "partly holds", "does not hold", "corrected")
RULE = ("holds if every check passes, partly holds if only some do, does not hold if none does")

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
        "==": operator.eq, "!=": operator.ne}


def _fmt(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and math.isinf(value):
        return "never" if value > 0 else "-inf"
    if isinstance(value, (int, float)):
        return f"{value:.3g}"
    return str(value)


def _relation(left, right) -> str:
    """The relation ``left`` and ``right`` really have (what the sentence prints)."""
    if isinstance(left, bool) or isinstance(right, bool) or not all(
            isinstance(v, (int, float)) for v in (left, right)):
        return "=" if left == right else "≠"
    if math.isnan(left) or math.isnan(right):
        return "vs"
    return "<" if left < right else ">" if left > right else "="


@dataclass(frozen=True)
class Check:
    """One comparison of a claim's rule: ``left op right`` on measured numbers.

    ``what`` names the part of the claim it tests ("cosine beats the best constant lr"),
    ``left_name`` / ``right_name`` the two quantities. NaN never passes. ``sentence`` prints both
    numbers with the relation they really have, then whether the rule's ``op`` is met.

    Examples
    --------
    >>> from lucidnet.lab.registry import Check
    >>> c = Check("cosine beats constant", "cosine loss", 0.12, "<", "best constant", 0.15)
    >>> c.passed, c.sentence()
    (True, 'cosine beats constant: cosine loss 0.12 < best constant 0.15 (yes)')
    >>> Check("x", "a", 1, "=>", "b", 2)
    Traceback (most recent call last):
    ...
    ValueError: Check.op must be one of ['!=', '<', '<=', '==', '>', '>='], got '=>'
    """

    what: str
    left_name: str
    left: object
    op: str
    right_name: str
    right: object

    def __post_init__(self):
        if self.op not in _OPS:
            raise ValueError(f"Check.op must be one of {sorted(_OPS)}, got {self.op!r}")

    @property
    def passed(self) -> bool:
        """Whether ``left op right`` is true; False for NaN or values that cannot be compared.

        Examples
        --------
        >>> from lucidnet.lab.registry import Check
        >>> Check("fast", "seconds", 0.2, "<", "limit", 1.0).passed
        True
        >>> Check("fast", "seconds", float("nan"), "<", "limit", 1.0).passed
        False
        """
        try:
            return bool(_OPS[self.op](self.left, self.right))
        except TypeError:
            return False

    def sentence(self) -> str:
        """The check in words: ``what``, both numbers with the relation they really have, then
        "(yes)" or "(no)" for whether ``op`` is met.

        Examples
        --------
        >>> from lucidnet.lab.registry import Check
        >>> Check("fast", "seconds", 2.0, "<", "limit", 1.0).sentence()
        'fast: seconds 2 > limit 1 (no)'
        """
        words = [self.left_name, _fmt(self.left), _relation(self.left, self.right),
                 self.right_name, _fmt(self.right)]
        return f"{self.what}: {' '.join(w for w in words if w)} ({'yes' if self.passed else 'no'})"


def judge(checks, context: str = "", numbers=None, figures=None, note: str = "", *,
          errata=(), erratum_note: str = "") -> Result:
    """The `Result` the rule `RULE` gives for ``checks``: the one verdict helper of every claim.

    Parameters
    ----------
    checks : list of Check
        The claim's rule, one comparison of measured numbers each (at least one).
    context : str
        The set-up, no comparisons; the explanation starts with it.
    numbers : dict, optional
        The measured quantities shown in the report.
    figures : list, optional
        Matplotlib figures.
    note : str
        Extra measured facts that are not part of the rule, worded by the caller from numbers.
    errata : list of Check, optional
        Checks of a formula the notes give beside the claim. If every check of ``checks``
        passes and an erratum fails, the verdict is "corrected" (the claim holds, the notes'
        formula is wrong) and ``erratum_note`` ends the explanation; otherwise they count as
        ordinary checks.

    Returns
    -------
    Result
        verdict = "holds" if every check passes, "does not hold" if none does, "partly holds"
        otherwise (or "corrected", above); explanation = context, then "Passed: ..." and
        "Failed: ..." with every check's sentence (so "partly holds" says what failed), then
        ``note``.

    Examples
    --------
    >>> from lucidnet.lab.registry import Check, judge
    >>> r = judge([Check("fast", "seconds", 0.2, "<", "", 1.0)], "One run.", {"seconds": 0.2})
    >>> r.verdict
    'holds'
    >>> r.explanation
    'One run. Passed: fast: seconds 0.2 < 1 (yes).'
    """
    rule, errata = list(checks), list(errata)
    checks = rule + errata
    if not rule:
        raise ValueError("judge needs at least one Check")
    passed = [c for c in checks if c.passed]
    verdict = ("holds" if len(passed) == len(checks) else
               "does not hold" if not passed else "partly holds")
    corrected = all(c.passed for c in rule) and not all(c.passed for c in errata)
    if corrected:
        verdict = "corrected"
    parts = [context.strip()] if context else []
    yes = [c.sentence() for c in checks if c.passed]
    no = [c.sentence() for c in checks if not c.passed]
    if yes:
        parts.append("Passed: " + "; ".join(yes) + ".")
    if no:
        parts.append("Failed: " + "; ".join(no) + ".")
    if note:
        parts.append(note.strip())
    if corrected and erratum_note:
        parts.append(erratum_note.strip())
    return Result(verdict, " ".join(parts), dict(numbers or {}), list(figures or []),
                  checks=checks)


SIZES = ("quick", "full")


@dataclass
class Result:
    """What an experiment measured.

    verdict : one of `VERDICTS` ("corrected": the claim holds but a formula of the notes is wrong); made by `judge`
    explanation : the set-up and every check with its numbers (written by `judge`)
    numbers : measured quantities (name -> number / short list / string), shown in the report
    figures : matplotlib Figures (the report embeds them as PNG)
    checks : the `Check` s the verdict was derived from (empty for a hand-made Result)

    Examples
    --------
    >>> from lucidnet.lab.registry import Result
    >>> Result("holds", "by hand", {"error": 0.0}).numbers
    {'error': 0.0}
    >>> Result("maybe", "")
    Traceback (most recent call last):
    ...
    ValueError: verdict must be one of ('holds', 'partly holds', 'does not hold', 'corrected'), got 'maybe'
    """

    verdict: str
    explanation: str
    numbers: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)
    seconds: float = 0.0
    checks: list = field(default_factory=list)

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")


@dataclass(frozen=True)
class Claim:
    """One claim of the notes and the experiment that tests it (made by `claim`, kept in `CLAIMS`).

    Attributes
    ----------
    id : int
        The claim's number, as in docs/ideas.md (the key of `CLAIMS`).
    title : str
        A one-line title, shown in ``lucidnet lab list`` and the report.
    statement : str
        The claim as the notes make it.
    seed_row : str
        Where the notes say it, e.g. "seed 003 ACTIVATION FUNCTIONS".
    spec : tuple of str
        The ideas of docs/ideas.md it exercises, e.g. ("B3", "B4").
    run : callable
        The experiment, ``run(seed: int, size: str) -> Result``; `run_claim` calls and times it.

    Examples
    --------
    >>> from lucidnet.lab.registry import get_claim
    >>> c = get_claim(1)
    >>> c.id, c.spec, c.run.__name__
    (1, ('B3', 'B4'), 'run_perceptron')
    """

    id: int
    title: str
    statement: str  # the claim as the notes make it
    seed_row: str  # where the notes say it, e.g. "seed 003 ACTIVATION FUNCTIONS"
    spec: tuple  # SPEC rows exercised, e.g. ("B3", "B4")
    run: Callable


CLAIMS: dict[int, Claim] = {}


def claim(id: int, title: str, statement: str, seed_row: str, spec: tuple):
    """Register ``run(seed, size) -> Result`` as the experiment for claim ``id``.

    Parameters
    ----------
    id : int
        The claim's number (docs/ideas.md); registering a number twice raises ValueError.
    title, statement, seed_row, spec
        The `Claim` fields: a one-line title, the claim as the notes make it, where they make
        it, and the ideas it exercises.

    Returns
    -------
    callable
        A decorator that stores ``Claim(id, title, statement, seed_row, tuple(spec), fn)`` in
        `CLAIMS` and returns ``fn`` unchanged.

    Examples
    --------
    >>> from lucidnet.lab.registry import CLAIMS, claim
    >>> @claim(990, "toy", "one is less than two", "nowhere", ("X1",))
    ... def toy(seed, size):
    ...     return None
    >>> CLAIMS[990].run is toy, CLAIMS.pop(990).title
    (True, 'toy')
    """
    def register(fn):
        if id in CLAIMS:
            raise ValueError(f"claim {id} registered twice")
        CLAIMS[id] = Claim(id, title, statement, seed_row, tuple(spec), fn)
        return fn
    return register


def _load_all() -> None:
    # lazy: a real cycle (each experiments module imports this registry to register its claims)
    from . import experiments  # noqa: F401  (importing registers every claim)


def get_claim(id: int) -> Claim:
    """The registered `Claim` with number ``id`` (importing every experiment module first).

    Parameters
    ----------
    id : int or str
        The claim's number, as in docs/ideas.md; a numeric string is accepted.

    Returns
    -------
    Claim
        Its title, statement, source rows and ``run`` function.

    Raises
    ------
    ValueError
        If no claim has that number; the message lists the valid ids.

    Examples
    --------
    >>> from lucidnet.lab.registry import get_claim
    >>> get_claim("2").title
    'Without activations a deep network is one linear map'
    >>> get_claim(0)
    Traceback (most recent call last):
    ...
    ValueError: unknown claim 0; valid ids: 1, 2, 3, ...
    """
    _load_all()
    try:
        return CLAIMS[int(id)]
    except (KeyError, ValueError):
        raise ValueError(f"unknown claim {id!r}; valid ids: {', '.join(map(str, sorted(CLAIMS)))}") from None


def run_claim(id: int, seed: int = 0, size: str = "quick") -> Result:
    """Run one claim's experiment with a fixed seed, timing it.

    ``manual_seed(seed)`` is called first, then ``get_claim(id).run(seed=seed, size=size)``;
    the wall-clock seconds are stored in ``Result.seconds``.

    Parameters
    ----------
    id : int or str
        The claim's number (docs/ideas.md).
    seed : int
        The seed of the run; the same seed gives the same numbers.
    size : {"quick", "full"}
        "quick" runs in seconds (tests, CI), "full" is the run of the report.

    Returns
    -------
    Result
        The experiment's result, with ``seconds`` set.

    Examples
    --------
    A toy claim (the real ones train models for seconds):

    >>> from lucidnet.lab.registry import CLAIMS, Check, claim, judge, run_claim
    >>> @claim(991, "toy", "one is less than two", "nowhere", ("X1",))
    ... def toy(seed, size):
    ...     return judge([Check("order", "one", 1, "<", "two", 2)])
    >>> r = run_claim(991); _ = CLAIMS.pop(991)
    >>> r.verdict, r.seconds >= 0
    ('holds', True)
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, got {size!r}")
    c = get_claim(id)
    manual_seed(seed)
    start = time.perf_counter()
    result = c.run(seed=seed, size=size)
    result.seconds = time.perf_counter() - start
    return result
