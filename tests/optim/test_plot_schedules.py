"""lucidnet.plot.lr_schedules draws every schedule of the notes side by side (SPEC F1-F3)."""

from __future__ import annotations

import numpy as np
import pytest

from lucidnet.optim import lr_scheduler as S

pytest.importorskip("matplotlib")

SCHEDULES = {
    "constant": [0.1] * 300,
    "step decay": lambda o: S.StepLR(o, step_size=60, gamma=0.5),
    "exponential α0·e^(-kt)": lambda o: S.ExponentialLR.from_decay_rate(o, k=0.01),
    "polynomial (p=2)": lambda o: S.PolynomialLR(o, total_iters=300, power=2.0),
    "cosine": lambda o: S.CosineAnnealingLR(o, T_max=300, eta_min=0.001),
    "SGDR (T0=20, Tmult=2)": lambda o: S.CosineAnnealingWarmRestarts(o, T_0=20, T_mult=2),
    "warmup → cosine": lambda o: S.warmup_cosine(o, warmup_steps=30, total_steps=300),
    "cyclic triangular2": lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up=40,
                                               mode="triangular2"),
    "one-cycle": lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=300),
}


def test_lr_schedules_figure(tmp_path):
    from lucidnet.plot import lr_schedules
    from lucidnet.plot.schedules import schedule_values

    path = tmp_path / "schedules.png"
    fig = lr_schedules(SCHEDULES, steps=300, path=path)
    assert path.stat().st_size > 10_000
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == len(SCHEDULES)
    for ax, name in zip(visible, SCHEDULES):
        y = ax.lines[0].get_ydata()
        assert ax.get_title() == name and len(y) == 300
        np.testing.assert_allclose(y, schedule_values(SCHEDULES[name], 300))
    with pytest.raises(ValueError, match="steps=300"):
        lr_schedules({"short": [0.1] * 10}, steps=300)
