"""Each optimizer against its formula written out by hand for the first steps (no torch), and the
notes' forms against PyTorch's forms: equal where the algebra says so, different where it doesn't
(SPEC E2, E3, E4)."""

from __future__ import annotations

import numpy as np
import pytest

from lucidnet import optim
from lucidnet.nn import Parameter
from lucidnet.optim import lr_scheduler as sched

THETA0 = np.array([1.0, -2.0, 0.5, 3.0])
GRADS = [np.array([0.3, -1.2, 2.0, 0.01]), np.array([-0.5, 0.7, 1.5, -0.02]),
         np.array([0.1, 0.4, -3.0, 0.05])]


def run(cls, grads=GRADS, **kwargs):
    """Feed a fixed gradient sequence; return the parameter after each step and the optimizer."""
    p = Parameter(THETA0.copy())
    opt = cls([p], **kwargs)
    out = []
    for g in grads:
        p.grad = g.copy()
        opt.step()
        out.append(p.data.copy())
    return out, opt, p


def check(got, want):
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)


def test_sgd_plain_and_weight_decay():
    lr, wd = 0.1, 0.01
    th, want = THETA0.copy(), []
    for g in GRADS:
        th = th - lr * (g + wd * th)
        want.append(th)
    check(run(optim.SGD, lr=lr, weight_decay=wd)[0], want)


def test_sgd_momentum_dampening_nesterov():
    lr, mu, damp = 0.1, 0.9, 0.3
    th, b, want = THETA0.copy(), None, []
    for g in GRADS:
        b = g.copy() if b is None else mu * b + (1 - damp) * g
        th = th - lr * b
        want.append(th)
    check(run(optim.SGD, lr=lr, momentum=mu, dampening=damp)[0], want)
    th, b, want = THETA0.copy(), None, []
    for g in GRADS:
        b = g.copy() if b is None else mu * b + g
        th = th - lr * (g + mu * b)
        want.append(th)
    check(run(optim.SGD, lr=lr, momentum=mu, nesterov=True)[0], want)


def test_sgd_notes_forms_by_hand():
    lr, beta = 0.1, 0.9
    th, v, want = THETA0.copy(), 0.0, []
    for g in GRADS:                       # notes (SPEC E2): v = βv + (1-β)g ; θ = θ - αv
        v = beta * v + (1 - beta) * g
        th = th - lr * v
        want.append(th)
    check(run(optim.SGD, lr=lr, momentum=beta, momentum_form="ema")[0], want)
    th, v, want = THETA0.copy(), 0.0, []
    for g in GRADS:                       # notes: v = ρv - αg ; θ = θ + v
        v = beta * v - lr * g
        th = th + v
        want.append(th)
    check(run(optim.SGD, lr=lr, momentum=beta, momentum_form="classical")[0], want)


def test_adadelta_by_hand_with_weight_decay():
    lr, rho, eps, wd = 0.7, 0.85, 1e-6, 0.05
    th, s, u, want = THETA0.copy(), 0.0, 0.0, []
    for g in GRADS:
        g = g + wd * th
        s = rho * s + (1 - rho) * g * g
        delta = np.sqrt(u + eps) / np.sqrt(s + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        th = th - lr * delta
        want.append(th)
    got, opt, p = run(optim.Adadelta, lr=lr, rho=rho, eps=eps, weight_decay=wd)
    check(got, want)
    assert set(opt.state[p]) == {"step", "square_avg", "acc_delta"}
    with pytest.raises(ValueError, match="rho"):
        optim.Adadelta([p], rho=1.5)
    assert isinstance(optim.get_optimizer("adadelta", [Parameter(np.ones(2))]), optim.Adadelta)


def test_radam_by_hand_both_regimes():
    lr, b1, b2, eps = 0.1, 0.9, 0.5, 1e-8
    grads = GRADS * 3
    for beta2 in (b2, 0.999):               # 0.5: SGD regime throughout; 0.999: from step 6
        th, m, v, want = THETA0.copy(), 0.0, 0.0, []
        rho_inf = 2 / (1 - beta2) - 1
        for t, g in enumerate(grads, 1):
            m = b1 * m + (1 - b1) * g
            v = beta2 * v + (1 - beta2) * g * g
            mhat = m / (1 - b1 ** t)
            rho = rho_inf - 2 * t * beta2 ** t / (1 - beta2 ** t)
            if rho > 5:
                r = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
                th = th - lr * mhat * r * np.sqrt(1 - beta2 ** t) / (np.sqrt(v) + eps)
            else:
                th = th - lr * mhat
            want.append(th)
        check(run(optim.RAdam, grads=grads, lr=lr, betas=(b1, beta2), eps=eps)[0], want)


def test_rprop_by_hand():
    lr, (em, ep), (lo, hi) = 0.05, (0.5, 1.2), (0.01, 0.07)
    grads = GRADS + [np.array([0.0, 0.4, -3.0, -0.05])]
    th, prev, size, want = THETA0.copy(), np.zeros(4), np.full(4, lr), []
    for g in grads:
        s = g * prev
        size = np.clip(size * np.where(s > 0, ep, np.where(s < 0, em, 1.0)), lo, hi)
        g = np.where(s < 0, 0.0, g)
        th = th - np.sign(g) * size
        prev = g
        want.append(th)
    check(run(optim.Rprop, grads=grads, lr=lr, etas=(em, ep), step_sizes=(lo, hi))[0], want)
    with pytest.raises(ValueError, match="etas"):
        optim.Rprop([Parameter(np.ones(2))], etas=(1.5, 1.2))


def test_adagrad_by_hand_with_lr_decay():
    lr, decay, eps, init = 0.1, 0.05, 1e-10, 0.2
    th, s, want = THETA0.copy(), np.full(4, init), []
    for t, g in enumerate(GRADS, 1):
        s = s + g * g
        th = th - lr / (1 + (t - 1) * decay) * g / (np.sqrt(s) + eps)
        want.append(th)
    check(run(optim.Adagrad, lr=lr, lr_decay=decay, initial_accumulator_value=init)[0], want)


def test_rmsprop_by_hand_centered_momentum():
    lr, a, eps, mu = 0.01, 0.9, 1e-8, 0.5
    th, s, gbar, b, want = THETA0.copy(), 0.0, 0.0, 0.0, []
    for g in GRADS:
        s = a * s + (1 - a) * g * g
        gbar = a * gbar + (1 - a) * g
        b = mu * b + g / (np.sqrt(s - gbar ** 2) + eps)
        th = th - lr * b
        want.append(th)
    check(run(optim.RMSprop, lr=lr, alpha=a, momentum=mu, centered=True)[0], want)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_by_hand(amsgrad):
    lr, b1, b2, eps = 0.01, 0.8, 0.9, 1e-8
    th, m, v, vmax, want = THETA0.copy(), 0.0, 0.0, 0.0, []
    grads = GRADS + [GRADS[0] * 0.01]     # a small gradient makes v shrink: AMSGrad keeps the max
    for t, g in enumerate(grads, 1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vmax = np.maximum(vmax, v)
        mhat = m / (1 - b1 ** t)
        vhat = (vmax if amsgrad else v) / (1 - b2 ** t)
        th = th - lr * mhat / (np.sqrt(vhat) + eps)
        want.append(th)
    check(run(optim.Adam, grads=grads, lr=lr, betas=(b1, b2), amsgrad=amsgrad)[0], want)


def test_adam_l2_versus_adamw_decoupled():
    """SPEC E4: Adam's weight_decay is L2 added to g (then rescaled by √v̂); AdamW shrinks θ."""
    lr, wd, b1, b2, eps = 0.01, 0.1, 0.9, 0.999, 1e-8
    th_l2, th_w = THETA0.copy(), THETA0.copy()
    m1 = v1 = m2 = v2 = 0.0
    want_l2, want_w = [], []
    for t, g in enumerate(GRADS, 1):
        gl = g + wd * th_l2
        m1, v1 = b1 * m1 + (1 - b1) * gl, b2 * v1 + (1 - b2) * gl * gl
        th_l2 = th_l2 - lr * (m1 / (1 - b1 ** t)) / (np.sqrt(v1 / (1 - b2 ** t)) + eps)
        m2, v2 = b1 * m2 + (1 - b1) * g, b2 * v2 + (1 - b2) * g * g
        th_w = th_w * (1 - lr * wd) - lr * (m2 / (1 - b1 ** t)) / (np.sqrt(v2 / (1 - b2 ** t))
                                                                   + eps)
        want_l2.append(th_l2)
        want_w.append(th_w)
    got_l2 = run(optim.Adam, lr=lr, weight_decay=wd)[0]
    got_w = run(optim.AdamW, lr=lr, weight_decay=wd)[0]
    check(got_l2, want_l2)
    check(got_w, want_w)
    assert np.abs(got_l2[-1] - got_w[-1]).max() > 1e-4       # they really differ


def test_adamax_by_hand():
    lr, b1, b2, eps = 0.01, 0.9, 0.99, 1e-8
    th, m, u, want = THETA0.copy(), 0.0, 0.0, []
    for t, g in enumerate(GRADS, 1):
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g) + eps)
        th = th - lr / (1 - b1 ** t) * m / u
        want.append(th)
    check(run(optim.Adamax, lr=lr, betas=(b1, b2))[0], want)


def test_nadam_by_hand():
    lr, b1, b2, eps, psi = 0.01, 0.9, 0.999, 1e-8, 4e-3
    th, m, v, prod, want = THETA0.copy(), 0.0, 0.0, 1.0, []
    for t, g in enumerate(GRADS, 1):
        mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        prod *= mu
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        denom = np.sqrt(v / (1 - b2 ** t)) + eps
        th = th - lr * (1 - mu) / (1 - prod) * g / denom \
            - lr * mu_next / (1 - prod * mu_next) * m / denom
        want.append(th)
    got, opt, p = run(optim.NAdam, lr=lr)
    check(got, want)
    assert opt.state[p]["mu_product"] == pytest.approx(prod, rel=1e-15)


# ------------------------------------------------------------------ notes' forms vs PyTorch
A = np.diag([1.0, 10.0, 0.5, 3.0])
B = np.array([1.0, -1.0, 2.0, 0.5])


def quadratic_run(**kwargs):
    """Minimize ½θᵀAθ - bᵀθ with real gradients; return the trajectory."""
    p = Parameter(THETA0.copy())
    opt = optim.SGD([p], **kwargs)
    traj = []
    for _ in range(30):
        p.grad = A @ p.data - B
        opt.step()
        traj.append(p.data.copy())
    return np.array(traj)


def test_ema_momentum_equals_pytorch_momentum_with_scaled_lr():
    """v = βv + (1-β)g with lr α  ==  PyTorch momentum=β, dampening=0 with lr α(1-β)."""
    alpha, beta = 0.2, 0.9
    ema = quadratic_run(lr=alpha, momentum=beta, momentum_form="ema")
    torch_form = quadratic_run(lr=alpha * (1 - beta), momentum=beta)
    np.testing.assert_allclose(ema, torch_form, rtol=1e-10, atol=1e-12)


def test_ema_momentum_versus_pytorch_dampening():
    """PyTorch dampening=β runs the same recursion but starts from b1 = g1, not (1-β)g1:
    the buffers differ by exactly β^t g1."""
    beta = 0.9
    _, ema, p1 = run(optim.SGD, lr=0.1, momentum=beta, momentum_form="ema")
    _, damp, p2 = run(optim.SGD, lr=0.1, momentum=beta, dampening=beta)
    # with the same gradient sequence: b_t - v_t = β^(t-1) (g1 - (1-β) g1) = β^t g1
    diff = damp.state[p2]["momentum_buffer"] - ema.state[p1]["momentum_buffer"]
    np.testing.assert_allclose(diff, beta ** len(GRADS) * GRADS[0], rtol=1e-12, atol=1e-15)


def test_classical_momentum_equals_pytorch_at_constant_lr_only():
    kw = {"lr": 0.05, "momentum": 0.9}
    np.testing.assert_allclose(quadratic_run(momentum_form="classical", **kw),
                               quadratic_run(**kw), rtol=1e-10, atol=1e-12)
    # with a changing lr the classical velocity keeps the old lr: trajectories part
    trajs = []
    for form in ("classical", "pytorch"):
        p = Parameter(THETA0.copy())
        opt = optim.SGD([p], momentum_form=form, **kw)
        s = sched.StepLR(opt, step_size=5, gamma=0.3)
        for _ in range(20):
            p.grad = A @ p.data - B
            opt.step()
            s.step()
        trajs.append(p.data.copy())
    assert np.abs(trajs[0] - trajs[1]).max() > 1e-3


def test_notes_nesterov_is_pytorch_nesterov_at_the_lookahead_point():
    """Notes: v = ρv - α∇f(θ + ρv), θ = θ + v. PyTorch's weights are φ = θ + ρv."""
    lr, rho = 0.05, 0.9
    p = Parameter(THETA0.copy())
    notes = optim.SGD([p], lr=lr, momentum=rho, nesterov=True, momentum_form="classical")
    q = Parameter(THETA0.copy())
    torch_form = optim.SGD([q], lr=lr, momentum=rho, nesterov=True)
    evaluated = []

    def closure():
        evaluated.append(p.data.copy())
        p.grad = A @ p.data - B
        return float(0.5 * p.data @ A @ p.data - B @ p.data)

    for _ in range(25):
        notes.step(closure)
        q.grad = A @ q.data - B
        torch_form.step()
        v = notes.state[p]["momentum_buffer"]
        np.testing.assert_allclose(p.data + rho * v, q.data, rtol=1e-10, atol=1e-12)
    # the gradient was taken at the look-ahead point, and θ itself is not left shifted
    assert not np.allclose(evaluated[-1], p.data)
    with pytest.raises(ValueError, match="closure"):
        notes.step()


@pytest.mark.parametrize("cls", [optim.Adagrad, optim.RMSprop])
def test_eps_inside_versus_outside_sqrt(cls):
    """Notes: α g/√(s + ε); PyTorch: α g/(√s + ε). Same for large s, very different for tiny g."""
    lr, eps = 0.1, 1e-8
    g = np.array([1e-6, 1.0, -2.0, 1e-9])
    extra = {"alpha": 0.9} if cls is optim.RMSprop else {}
    s = g * g * (0.1 if cls is optim.RMSprop else 1.0)
    (out_in,), _, _ = run(cls, grads=[g], lr=lr, eps=eps, eps_inside_sqrt=True, **extra)
    (out_out,), _, _ = run(cls, grads=[g], lr=lr, eps=eps, **extra)
    np.testing.assert_allclose(out_in, THETA0 - lr * g / np.sqrt(s + eps), rtol=1e-13)
    np.testing.assert_allclose(out_out, THETA0 - lr * g / (np.sqrt(s) + eps), rtol=1e-13)
    np.testing.assert_allclose(out_in[1:3], out_out[1:3], rtol=1e-4)     # |g| >> √ε: equal
    step_in, step_out = THETA0[0] - out_in[0], THETA0[0] - out_out[0]
    assert step_out > 5 * step_in                                          # |g| ~ √ε: not


def test_float32_stays_float32_and_updates_in_place():
    p = Parameter(np.ones((3, 4), np.float32))
    alias = p.data
    for cls in (optim.SGD, optim.Adam, optim.NAdam, optim.RMSprop):
        opt = cls([p], lr=0.01)
        p.grad = np.full((3, 4), 0.5, np.float32)
        opt.step()
        assert p.data is alias and p.data.dtype == np.float32
        assert all(v.dtype == np.float32 for v in opt.state[p].values()
                   if isinstance(v, np.ndarray))
    assert alias[0, 0] < 1.0


def test_many_small_and_non_contiguous_parameters():
    """Bucketed (gathered) small parameters, a transposed one and a threaded large group update
    bit-for-bit like one optimizer per parameter."""
    rng = np.random.default_rng(0)
    shapes = [(3,), (2, 2), (1,), (70000,), (5,), (100000,), (4, 3)]   # > 1 thread
    ps = [Parameter(rng.standard_normal(s)) for s in shapes]
    ps[-1] = Parameter(rng.standard_normal((3, 4)).T)              # non-contiguous data
    refs = [Parameter(p.data.copy()) for p in ps]
    opt = optim.Adam(ps, lr=0.01, weight_decay=0.1)
    singles = [optim.Adam([r], lr=0.01, weight_decay=0.1) for r in refs]
    for _ in range(3):
        for p, r in zip(ps, refs):
            p.grad = rng.standard_normal(p.data.shape)
            r.grad = p.grad.data.copy()
        opt.step()
        for o in singles:
            o.step()
    for p, r in zip(ps, refs):
        np.testing.assert_array_equal(p.data, r.data)
