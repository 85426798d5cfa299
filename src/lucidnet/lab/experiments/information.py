"""Claim 18: minimizing cross-entropy minimizes KL divergence (docs/ideas.md: D4).

KL(p||q) = H(p, q) - H(p), and H(p) does not depend on the model q, so the two objectives have the
same gradient in q's parameters: training q toward p by cross-entropy drives KL to 0.
"""

from __future__ import annotations

import numpy as np

from ... import information
from ...autograd import get_default_dtype, set_default_dtype
from ...nn import Parameter
from ...nn import functional as F
from ...optim import SGD
from ...plot._backend import pyplot
from ..registry import Check, Result, claim, judge

__all__ = ["cross_entropy_kl", "judge_cross_entropy_kl"]


@claim(18, "Minimizing cross-entropy minimizes KL divergence",
       "KL(p||q) = H(p,q) - H(p); there is no parameter for p, so minimizing the cross-entropy "
       "gives the same result as minimizing the KL divergence.",
       "seed 001 Cross-entropy & KL Divergence", ("D4",))
def cross_entropy_kl(seed: int, size: str) -> Result:
    """Test claim 18 (docs/ideas.md): minimizing cross-entropy minimizes the KL divergence.

    KL(p||q) = H(p, q) - H(p), and H(p) does not depend on the model q. A softmax model q is
    fitted to a fixed random target distribution p by gradient descent on H(p, q); at every step
    the identity KL = H(p, q) - H(p) and the difference between the gradients of H(p, q) and of
    KL(p||q) are measured. The claim holds if both agree to 1e-10 and the KL divergence falls at
    every step, to under 1 % of its start.

    Parameters
    ----------
    seed : int
        Seed of the data, the initial weights and the shuffling; the same seed gives the same result.
    size : {"quick", "full"}
        "quick" is a seconds-long run for tests, "full" a longer, larger run for the report.

    Returns
    -------
    Result
        The measured numbers and figures; the verdict is "holds" if every check of the rule
        passes, "partly holds" if only some do (the failed ones are named in the explanation),
        "does not hold" if none does (see `lucidnet.lab.registry.judge`).

    Examples
    --------
    The experiment is registered as claim 18; ``lucidnet lab run 18`` (or
    ``run_claim(18)``) runs it, for seconds:

    >>> from lucidnet.lab.registry import get_claim
    >>> from lucidnet.lab.experiments.information import cross_entropy_kl
    >>> claim = get_claim(18)
    >>> claim.run is cross_entropy_kl, claim.spec
    (True, ('D4',))
    """
    rng = np.random.default_rng(seed)
    k = 10
    p = rng.dirichlet(np.ones(k)).reshape(1, k)  # the fixed target distribution
    steps = 150 if size == "quick" else 600
    old = get_default_dtype()
    set_default_dtype(np.float64)
    try:
        z = Parameter(rng.normal(scale=2.0, size=(1, k)))  # q = softmax(z), far from p at start
        opt = SGD([z], lr=4.0)
        H_pq, KL, identity_err, grad_diff = [], [], [], []
        H_p = float(information.entropy(p[0]))
        for _ in range(steps):
            # gradient of KL(p||q) at the current z, taken on its own
            kl_t = F.kl_div(F.log_softmax(z, dim=-1), p, reduction="sum")
            opt.zero_grad()
            kl_t.backward()
            g_kl = z.grad.data.copy()
            # the training objective: cross-entropy H(p, q) with soft targets p
            ce = F.cross_entropy(z, p)
            opt.zero_grad()
            ce.backward()
            grad_diff.append(float(np.max(np.abs(z.grad.data - g_kl))))
            q = np.exp(F.log_softmax(z, dim=-1).data[0])
            q /= q.sum()
            h_pq = float(information.cross_entropy(p[0], q))
            kl = float(information.kl_divergence(p[0], q))
            H_pq.append(float(ce.data))
            KL.append(kl)
            identity_err.append(abs(kl - (h_pq - H_p)) + abs(h_pq - float(ce.data)))
            opt.step()
    finally:
        set_default_dtype(old)
    H_pq, KL = np.array(H_pq), np.array(KL)
    notes_entropy = float(np.sum(p * np.log(p)))  # seed 001 writes sum p log p (no minus sign)

    numbers = {
        "classes / SGD steps (lr 4.0)": [k, steps],
        "H(p) (fixed)": round(H_p, 6),
        "H(p,q): first / last": [round(float(H_pq[0]), 6), round(float(H_pq[-1]), 6)],
        "KL(p||q): first / last": [round(float(KL[0]), 6), float(f"{KL[-1]:.3g}")],
        "max |KL - (H(p,q) - H(p))| over all steps": float(f"{max(identity_err):.3g}"),
        "max |grad_z H(p,q) - grad_z KL| over all steps": float(f"{max(grad_diff):.3g}"),
        "KL decreased at every step": bool(np.all(np.diff(KL) <= 1e-15)),
        "the notes' entropy sum p log p (= -H(p), Errata)": round(notes_entropy, 6),
    }
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    axes[0].plot(H_pq, label="cross-entropy H(p,q) (minimized)")
    axes[0].plot(KL, label="KL(p||q)")
    axes[0].axhline(H_p, color="k", ls="--", lw=1, label="H(p)")
    axes[0].set(xlabel="SGD step", ylabel="nats", title="H(p,q) = H(p) + KL(p||q)")
    axes[0].legend(fontsize=7)
    xs = np.arange(k)
    axes[1].bar(xs - 0.2, p[0], 0.4, label="target p")
    axes[1].bar(xs + 0.2, q, 0.4, label="learned q")
    axes[1].set(xlabel="outcome", title="q after training")
    axes[1].legend(fontsize=7)
    fig.tight_layout()

    return judge_cross_entropy_kl(numbers, [fig])


def judge_cross_entropy_kl(numbers: dict, figures=()) -> Result:
    """Claim 18's rule on its numbers: along the whole run KL = H(p,q) - H(p) and the two
    objectives have the same gradient (both within 1e-10), and minimizing H(p,q) lowers KL at
    every step to < 1% of its start.

    Parameters
    ----------
    numbers : dict
        The measured quantities (name -> number, pair or list) the run function records; the
        rule reads the keys of the example below.
    figures : list of matplotlib.figure.Figure, optional
        Kept in the Result for the report.

    Returns
    -------
    Result
        The verdict `lucidnet.lab.registry.judge` gives the rule's checks (holds / partly
        holds / does not hold / corrected), with ``numbers`` and ``figures``.

    Examples
    --------
    The rule applied to the numbers a quick run measured (``cross_entropy_kl(seed=0, size="quick")``
    measures them, in seconds); the second item names the checks that failed:

    >>> from lucidnet.lab.experiments.information import judge_cross_entropy_kl
    >>> numbers = {
    ...     "KL(p||q): first / last": [0.2585, 0.00109],
    ...     "max |KL - (H(p,q) - H(p))| over all steps": 6.66e-16,
    ...     "max |grad_z H(p,q) - grad_z KL| over all steps": 0.0,
    ...     "KL decreased at every step": True,
    ...     "classes / SGD steps (lr 4.0)": [10, 150],
    ...     "H(p) (fixed)": 1.704}
    >>> r = judge_cross_entropy_kl(numbers)
    >>> r.verdict, [c.what for c in r.checks if not c.passed]
    ('holds', [])
    """
    kl0, kl1 = numbers["KL(p||q): first / last"]
    checks = [Check("KL = H(p,q) - H(p)", "max error",
                    numbers["max |KL - (H(p,q) - H(p))| over all steps"], "<", "", 1e-10),
              Check("same gradient", "max difference",
                    numbers["max |grad_z H(p,q) - grad_z KL| over all steps"], "<", "", 1e-10),
              Check("KL minimized", "KL last/first", kl1 / kl0, "<", "", 1e-2),
              Check("at every step", "KL never rose", numbers["KL decreased at every step"], "==",
                    "", True)]
    k, steps = numbers["classes / SGD steps (lr 4.0)"]
    return judge(checks, f"q = softmax(z) over {k} outcomes trained by SGD on H(p,q), {steps} "
                 f"steps; H(p) = {numbers['H(p) (fixed)']:.3f}.", numbers, figures)
