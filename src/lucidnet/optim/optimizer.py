"""`Optimizer` base: parameter groups, flat per-group state, `step`, `state_dict` (SPEC E2-E4).

How a step runs
---------------
Each parameter group keeps its state (``exp_avg``, ``momentum_buffer`` ...) in one flat array per
state name, laid out parameter after parameter; ``optimizer.state[p]`` shows the per-parameter
slices as views, with PyTorch's names. A group is cut once into *buckets*: a large parameter is a
bucket of its own and is updated in place straight through views of ``.data`` / ``.grad``; runs of
small parameters are gathered with one ``np.concatenate(..., out=)`` into a scratch buffer, updated
together and copied back into their ``.data`` arrays in place. The update rule (one ``_update``
method per optimizer, written once) therefore runs a handful of in-place ufuncs per bucket, each on a
cache-sized block, and buckets are shared between at most ``_NUM_THREADS`` threads (NumPy releases
the GIL inside ufuncs) for large groups. The arithmetic does not depend on the bucketing or the
threads: results are bit-identical whatever the split.

A parameter whose ``.grad`` is None is skipped, as PyTorch does; each parameter counts its own steps.

state_dict layout (plain Python + NumPy, JSON/.npz friendly, never pickled)
------------------------------------------------------------------------
::

    {"optimizer": "Adam",                       # class name, checked on load
     "state": {0: {"step": 3,                   # int, steps taken by parameter 0
                   "exp_avg": ndarray,          # same shape/dtype as the parameter
                   "exp_avg_sq": ndarray, ...}, # PyTorch's names; NAdam adds "mu_product": float
               1: {...}},                       # only parameters that have been stepped
     "param_groups": [{"lr": 0.001, "betas": [0.9, 0.999], ..., "params": [0, 1]}]}

Parameters are numbered in the order of the groups, as in PyTorch. After JSON the keys of
``state`` may be strings; `load_state_dict` accepts both.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ..autograd.tensor import Tensor

__all__ = ["Optimizer", "get_num_threads", "set_num_threads"]

_NUM_THREADS = max(1, min(2, os.cpu_count() or 1))
_POOL: ThreadPoolExecutor | None = None
_BUCKET = 1 << 16          # elements per gathered bucket (~256 KiB of float32: stays in L2)
_THREAD_MIN = 1 << 17      # groups smaller than this run on one thread (dispatch costs more)


def set_num_threads(n: int) -> None:
    """Threads the optimizers use for large parameter groups (1 disables threading)."""
    global _NUM_THREADS
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"set_num_threads: n must be a positive integer, got {n!r}")
    _NUM_THREADS = int(n)


def get_num_threads() -> int:
    return _NUM_THREADS


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lucidnet-optim")
    return _POOL


# ---------------------------------------------------------------------------------- validation
def _check_number(owner: str, name: str, value, low: float | None = None, *,
                  low_open: bool = False, high: float | None = None,
                  high_open: bool = True) -> float:
    """Return ``float(value)`` or raise ValueError naming the argument, the value and the range."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{owner}: {name} must be a real number, got {value!r}")
    v = float(value)
    lo = "" if low is None else ("(" if low_open else "[") + f"{low}"
    hi = "" if high is None else f"{high}" + (")" if high_open else "]")
    ok = math.isfinite(v)
    if ok and low is not None:
        ok = v > low if low_open else v >= low
    if ok and high is not None:
        ok = v < high if high_open else v <= high
    if not ok:
        rng = f"in {lo or '(-inf'}, {hi or 'inf)'}"
        raise ValueError(f"{owner}: {name} must be a finite number {rng}, got {value!r}")
    return v


def _implementation_options(owner: str, capturable: bool = False,
                            differentiable: bool = False) -> None:
    """PyTorch's kernel choices. ``foreach`` / ``fused`` are accepted and change nothing: every
    step already runs as a few in-place ufuncs per bucket. ``capturable`` (CUDA graphs) and
    ``differentiable`` (autograd through the step) do not exist here."""
    if capturable:
        raise ValueError(f"{owner}: capturable=True is for CUDA graphs, which lucidnet (CPU only) "
                         "does not have; leave it False")
    if differentiable:
        raise ValueError(f"{owner}: differentiable=True (autograd through the optimizer step) "
                         "is not supported by lucidnet; leave it False")


def _check_betas(owner: str, betas) -> tuple[float, float]:
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{owner}: betas must be a pair (beta1, beta2), got {betas!r}")
    return (_check_number(owner, "betas[0]", betas[0], 0.0, high=1.0),
            _check_number(owner, "betas[1]", betas[1], 0.0, high=1.0))


#: boolean options of the optimizers; each must be a real bool (``maximize="False"`` is truthy)
_FLAGS = ("nesterov", "maximize", "amsgrad", "centered", "decoupled_weight_decay",
          "eps_inside_sqrt")


class _GroupData:
    """Flat state and the bucket plan of one parameter group (internal)."""

    def __init__(self, params: list, dtype: np.dtype):
        self.params = params
        self.sizes = [int(p.data.size) for p in params]
        self.offsets = [0]
        for n in self.sizes:
            self.offsets.append(self.offsets[-1] + n)
        self.total = self.offsets[-1]
        self.dtype = dtype
        self.flat: dict[str, np.ndarray] = {}
        self.steps = [0] * len(params)
        self.scalars: dict[str, list[float]] = {}
        self.scratch: np.ndarray | None = None   # (n_tmp, total) scratch rows for _update
        self.gather: np.ndarray | None = None    # gathered/owned gradients
        self.pgather: np.ndarray | None = None   # gathered parameters
        # buckets: (first param, end param, first element, end element)
        self.buckets: list[tuple[int, int, int, int]] = []
        i = 0
        while i < len(params):
            j, size = i + 1, self.sizes[i]
            while j < len(params) and size + self.sizes[j] <= _BUCKET:
                size += self.sizes[j]
                j += 1
            self.buckets.append((i, j, self.offsets[i], self.offsets[j]))
            i = j

    def buffers(self, n_tmp: int):
        if self.scratch is None or self.scratch.shape[0] != n_tmp:
            self.scratch = np.empty((n_tmp, self.total), self.dtype)
            self.gather = np.empty(self.total, self.dtype)
            self.pgather = np.empty(self.total, self.dtype)
        return self.scratch, self.gather, self.pgather


class Optimizer:
    """Base class of every optimizer (PyTorch's interface).

    Subclasses set ``defaults`` through ``__init__``, name their flat state in
    ``_state_names(group)`` (and per-parameter scalars in ``_scalar_names``), and implement the
    update once in ``_update(group, p, g, st, tmp, step, sc)`` on 1-D arrays: ``p`` the parameter
    (updated in place), ``g`` the gradient after ``maximize`` and coupled weight decay (read only),
    ``st`` the state slices, ``tmp`` ``_n_tmp`` scratch rows (``tmp[0]`` ...), ``step`` the 1-based step count of these
    parameters, ``sc`` a dict of per-parameter scalars to update.
    """

    #: PyTorch-style coupled L2 decay ``g + weight_decay * p`` is applied by the base class unless a
    #: group sets ``decoupled_weight_decay`` (AdamW, NAdam's option).
    _scalar_names: tuple[tuple[str, float], ...] = ()
    #: rows of scratch memory `_update` receives as ``tmp`` (each a 1-D array like ``p``)
    _n_tmp = 1

    def __init__(self, params, defaults: dict[str, Any]):
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self._data: list[_GroupData] = []
        name = type(self).__name__
        if hasattr(params, "data") and hasattr(params, "grad"):
            raise TypeError(f"{name}: params must be an iterable of Parameters or of dicts, got "
                            f"a single {type(params).__name__}; wrap it in a list")
        try:
            groups = list(params)
        except TypeError:
            raise TypeError(f"{name}: params must be an iterable of Parameters or of dicts, got "
                            f"{type(params).__name__}") from None
        if not groups:
            raise ValueError(f"{name}: got an empty parameter list (params=[]); pass "
                             f"model.parameters() of a model that has parameters")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    # ------------------------------------------------------------------ groups
    def _check_group(self, group: dict[str, Any]) -> None:
        """Validate hyperparameters of one group (subclasses extend)."""
        name = type(self).__name__
        group["lr"] = _check_number(name, "lr", group["lr"], 0.0)
        if "weight_decay" in group:
            group["weight_decay"] = _check_number(name, "weight_decay", group["weight_decay"], 0.0)
        for key in _FLAGS:
            if key in group and not isinstance(group[key], (bool, np.bool_)):
                raise TypeError(f"{name}: {key} must be True or False, got {group[key]!r} (a "
                                f"string such as 'False' would count as true)")
            if key in group:
                group[key] = bool(group[key])

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (missing ones take defaults)."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}: a param group must be a dict, got "
                            f"{type(param_group).__name__}")
        params = param_group.get("params")
        if params is None:
            raise ValueError(f"{name}: param group has no 'params' entry: {param_group!r}")
        params = [params] if hasattr(params, "data") and hasattr(params, "grad") else list(params)
        if not params:
            raise ValueError(f"{name}: got an empty parameter list (params=[])")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        ids = set()
        for k, p in enumerate(params):
            _unwrap_data(p)
            if not (hasattr(p, "data") and hasattr(p, "grad")) or not isinstance(p.data,
                                                                                  np.ndarray):
                raise TypeError(f"{name}: params[{k}] must be a Parameter (a Tensor with .data "
                                f"and .grad), got {type(p).__name__}")
            if p.data.dtype.kind != "f":
                raise TypeError(f"{name}: params[{k}] has dtype {p.data.dtype}; only "
                                f"floating-point parameters can be optimized")
            if id(p) in ids or id(p) in seen:
                raise ValueError(f"{name}: parameter params[{k}] (shape {p.data.shape}) is given "
                                 f"twice; each parameter may appear in one group only once")
            ids.add(id(p))
        dtypes = {p.data.dtype for p in params}
        if len(dtypes) > 1:
            raise ValueError(f"{name}: one param group mixes dtypes {sorted(map(str, dtypes))}; "
                             f"put parameters of different dtypes in separate param groups")
        group = {k: v for k, v in param_group.items() if k != "params"}
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check_group(group)
        group["params"] = params
        self.param_groups.append(group)
        self._data.append(_GroupData(params, params[0].data.dtype))

    # ------------------------------------------------------------------ grads
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Drop (``set_to_none=True``) or zero every parameter's ``.grad``."""
        for group in self.param_groups:
            if set_to_none:  # straight to the slot: no property call per parameter and step
                for p in group["params"]:
                    p._grad = None
                continue
            for p in group["params"]:
                if p.grad is not None:
                    p.grad.zero_()

    # ------------------------------------------------------------------ state view
    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ()

    def _init_value(self, name: str, group: dict[str, Any]) -> float:
        return 0.0

    @property
    def state(self) -> dict:
        """``{param: {"step": int, name: view of the flat state, ...}}`` (live views)."""
        out = {}
        for group, gd in zip(self.param_groups, self._data):
            for i, p in enumerate(gd.params):
                if gd.steps[i] == 0:
                    continue
                a, b = gd.offsets[i], gd.offsets[i + 1]
                entry: dict[str, Any] = {"step": gd.steps[i]}
                for name in self._state_names(group):
                    if name in gd.flat:
                        entry[name] = gd.flat[name][a:b].reshape(p.data.shape)
                for name, values in gd.scalars.items():
                    entry[name] = values[i]
                out[p] = entry
        return out

    # ------------------------------------------------------------------ step
    def step(self, closure: Callable[[], Any] | None = None):
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = None
        if closure is not None:
            loss = closure()
        for group, gd in zip(self.param_groups, self._data):
            self._step_group(group, gd)
            self._bump_versions(gd)
        return loss

    @staticmethod
    def _bump_versions(gd: _GroupData) -> None:
        """A step is an in-place change, as PyTorch's: a pending backward that saved one of
        these weights raises instead of using the new one."""
        for p in gd.params:
            if p._grad is not None:
                p._bump_version()

    def _prepare(self, group: dict[str, Any], gd: _GroupData) -> None:
        dtype = gd.params[0].data.dtype
        if dtype != gd.dtype:     # the model was cast (module.to / double / float)
            if any(p.data.dtype != dtype for p in gd.params):
                raise ValueError(f"{type(self).__name__}: parameters of one group now have "
                                 f"mixed dtypes; cast the whole model")
            gd.dtype = dtype
            gd.flat = {k: v.astype(dtype) for k, v in gd.flat.items()}
            gd.scratch = gd.gather = gd.pgather = None
        for name in self._state_names(group):
            if name not in gd.flat:
                value = self._init_value(name, group)
                gd.flat[name] = np.full(gd.total, value, gd.dtype) if value else \
                    np.zeros(gd.total, gd.dtype)
        for name, value in self._scalar_names:
            if name not in gd.scalars:
                gd.scalars[name] = [value] * len(gd.params)

    def _step_group(self, group: dict[str, Any], gd: _GroupData) -> None:
        self._prepare(group, gd)
        params = gd.params
        # the gradients' arrays (``.grad`` is a Tensor; the update runs on NumPy arrays)
        # (inline _grad_array: no call per parameter on the hot path)
        grads = [g if (g := p._grad) is None or g.__class__ is np.ndarray else g.data
                 for p in params]
        for k, (p, g) in enumerate(zip(params, grads)):
            if p.data.size != gd.sizes[k] and not (_unwrap_data(p) and
                                                   p.data.size == gd.sizes[k]):
                raise ValueError(f"{type(self).__name__}: parameter {k} now has "
                                 f"{p.data.size} elements (shape {p.data.shape}), it had "
                                 f"{gd.sizes[k]} when the optimizer was built; assign "
                                 f"p.data an array of the same shape, or build a new optimizer")
            if g is not None and g.shape != p.data.shape:
                raise ValueError(f"{type(self).__name__}: gradient of parameter {k} has shape "
                                 f"{g.shape}, expected the parameter's shape {p.data.shape}")
        scratch, gather, pgather = gd.buffers(self._n_tmp)
        names = self._state_names(group)
        work: list[tuple[int, Callable[[], None]]] = []
        steps = gd.steps
        for i0, i1, a, b in gd.buckets:
            whole = all(g is not None for g in grads[i0:i1]) and \
                len(set(steps[i0:i1])) == 1 and \
                all(len(set(v[i0:i1])) == 1 for v in gd.scalars.values())
            if whole:
                work.append((b - a, self._bucket_job(group, gd, names, grads, i0, i1, a, b,
                                                     scratch, gather, pgather)))
            else:
                for i in range(i0, i1):
                    if grads[i] is not None:
                        a1, b1 = gd.offsets[i], gd.offsets[i + 1]
                        work.append((b1 - a1, self._bucket_job(group, gd, names, grads, i, i + 1,
                                                               a1, b1, scratch, gather, pgather)))
        if _NUM_THREADS > 1 and len(work) > 1 and sum(w for w, _ in work) >= _THREAD_MIN:
            lanes: list[list[Callable[[], None]]] = [[] for _ in range(_NUM_THREADS)]
            load = [0] * _NUM_THREADS
            for w, job in sorted(work, key=lambda t: -t[0]):
                k = load.index(min(load))
                lanes[k].append(job)
                load[k] += w
            futures = [_pool().submit(_run_all, lane) for lane in lanes[1:] if lane]
            _run_all(lanes[0])
            for f in futures:
                f.result()
        else:
            for _, job in work:
                job()

    def _bucket_job(self, group, gd, names, grads, i0, i1, a, b, scratch, gather, pgather):
        def job():
            params = gd.params
            single = i1 - i0 == 1 and params[i0].data.flags.c_contiguous
            if single:  # a plain view: in-place ufuncs on a DataArray take NumPy's slow path
                p = params[i0].data.view(np.ndarray).reshape(-1)
                g = grads[i0].reshape(-1)
            else:
                p = pgather[a:b]
                g = gather[a:b]
                np.concatenate([q.data.reshape(-1) for q in params[i0:i1]], out=p)
                np.concatenate([x.reshape(-1) for x in grads[i0:i1]], out=g, casting="same_kind")
            tmp = scratch[:, a:b]
            g = self._effective_grad(group, p, g, gather[a:b], tmp[0], own=not single)
            step = gd.steps[i0] + 1
            sc = {k: v[i0] for k, v in gd.scalars.items()}
            self._update(group, p, g, {n: gd.flat[n][a:b] for n in names}, tmp, step, sc)
            if not single:
                for k in range(i0, i1):
                    q = params[k].data
                    np.copyto(q, p[gd.offsets[k] - a:gd.offsets[k + 1] - a].reshape(q.shape))
            for k in range(i0, i1):
                gd.steps[k] = step
                for key, value in sc.items():
                    gd.scalars[key][k] = value
        return job

    @staticmethod
    def _effective_grad(group, p, g, buf, tmp, own: bool):
        """``-g if maximize`` then ``+ weight_decay * p`` unless decay is decoupled (PyTorch order)."""
        maximize = group.get("maximize", False)
        wd = 0.0 if group.get("decoupled_weight_decay", False) else group.get("weight_decay", 0.0)
        if not maximize and not wd:
            return g
        if maximize:
            np.negative(g, out=buf)
        elif not own:
            np.copyto(buf, g, casting="same_kind")
        if wd:
            np.multiply(p, wd, out=tmp)
            buf += tmp
        return buf

    def _update(self, group, p, g, st, tmp, step, sc) -> None:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must implement _update")

    # ------------------------------------------------------------------ state_dict
    def state_dict(self) -> dict[str, Any]:
        """Plain dict of Python scalars/lists and NumPy arrays (layout in the module docstring)."""
        state: dict[int, dict[str, Any]] = {}
        groups = []
        index = 0
        for group, gd in zip(self.param_groups, self._data):
            names = [n for n in self._state_names(group) if n in gd.flat]
            ids = []
            for i, p in enumerate(gd.params):
                ids.append(index)
                if gd.steps[i]:
                    a, b = gd.offsets[i], gd.offsets[i + 1]
                    entry: dict[str, Any] = {"step": int(gd.steps[i])}
                    for n in names:
                        entry[n] = gd.flat[n][a:b].reshape(p.data.shape).copy()
                    for n, values in gd.scalars.items():
                        entry[n] = float(values[i])
                    state[index] = entry
                index += 1
            g = {k: (list(v) if isinstance(v, tuple) else v) for k, v in group.items()
                 if k != "params"}
            g["params"] = ids
            groups.append(g)
        return {"optimizer": type(self).__name__, "state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and state saved by `state_dict` (same class, same shapes)."""
        name = type(self).__name__
        if not isinstance(state_dict, dict) or "param_groups" not in state_dict or \
                "state" not in state_dict:
            raise ValueError(f"{name}.load_state_dict: expected a dict with 'state' and "
                             f"'param_groups' (from Optimizer.state_dict()), got "
                             f"{type(state_dict).__name__}")
        saved_cls = state_dict.get("optimizer", name)
        if saved_cls != name:
            raise ValueError(f"{name}.load_state_dict: the state dict was saved by {saved_cls}, "
                             f"not {name}")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: the state dict has {len(saved_groups)} "
                             f"param groups, this optimizer has {len(self.param_groups)}")
        for k, (sg, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(sg["params"]) != len(group["params"]):
                raise ValueError(f"{name}.load_state_dict: param group {k} has "
                                 f"{len(sg['params'])} parameters in the state dict and "
                                 f"{len(group['params'])} here")
        saved_state = {int(k): v for k, v in state_dict["state"].items()}
        new_groups = []
        for sg, gd in zip(saved_groups, self._data):
            g = {k: (tuple(v) if k == "betas" else v) for k, v in sg.items() if k != "params"}
            missing = sorted(set(self.defaults) - set(g))
            if missing:
                raise ValueError(f"{name}.load_state_dict: a param group of the state dict lacks "
                                 f"{missing}; it was not saved by {name}.state_dict()")
            self._check_group(g)
            names = self._state_names(g)
            for idx, p in zip(sg["params"], gd.params):
                entry = saved_state.get(int(idx))
                if entry is None:
                    continue
                step = np.asarray(entry.get("step", 0))
                if step.shape or step.dtype.kind not in "iuf" or not (
                        np.isfinite(step) and step >= 0 and step == np.round(step)):
                    raise ValueError(f"{name}.load_state_dict: 'step' of parameter {idx} must "
                                     f"be a non-negative integer, got {entry.get('step')!r}")
                for key, value in entry.items():
                    if key not in names:
                        continue
                    arr = np.asarray(value)
                    if arr.shape != p.data.shape or arr.dtype.kind not in "iuf":
                        raise ValueError(f"{name}.load_state_dict: state '{key}' of parameter "
                                         f"{idx} has shape {arr.shape} and dtype {arr.dtype}; "
                                         f"the parameter has shape {p.data.shape} and needs "
                                         f"real numbers")
            new_groups.append(g)
        for sg, g, group, gd in zip(saved_groups, new_groups, self.param_groups, self._data):
            group.update(g)
            gd.dtype = gd.params[0].data.dtype
            gd.flat, gd.scalars = {}, {}
            gd.steps = [0] * len(gd.params)
            self._prepare(group, gd)
            names = self._state_names(group)
            for i, idx in enumerate(sg["params"]):
                entry = saved_state.get(int(idx))
                if entry is None:
                    continue
                a, b = gd.offsets[i], gd.offsets[i + 1]
                gd.steps[i] = int(entry.get("step", 0))
                for key, value in entry.items():
                    if key in names:
                        gd.flat[key][a:b] = np.asarray(value).reshape(-1)
                    elif key in gd.scalars:
                        gd.scalars[key][i] = float(value)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for k, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {k}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        return "\n".join(lines) + "\n)"


def _unwrap_data(p) -> bool:
    """PyTorch code assigns a tensor to ``p.data`` (``layer.weight.data = w``); lucidnet's
    ``.data`` is the array, so take the tensor's array. True if something was unwrapped. (Asked
    once per parameter when a group is added, and in a step only after a size check failed.)"""
    data = getattr(p, "data", None)
    if isinstance(data, Tensor):
        p.data = data.data
        return True
    return False


def _run_all(jobs: Iterable[Callable[[], None]]) -> None:
    for job in jobs:
        job()
