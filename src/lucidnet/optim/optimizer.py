"""`Optimizer`: the base of every optimizer -- parameter groups, state, ``state_dict``.

An optimizer is a list of parameter groups (each a dict of hyperparameters and ``"params"``)
and a per-parameter state. The subclasses hold the algorithms (one update each, written once);
how a step is run over a group -- flat state, buckets, fused kernels, threads -- lives in
``optim/_engine.py``.

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

from collections.abc import Callable
from typing import Any

import numpy as np

from .._validation import check_bool, check_real
from . import _engine
from ._engine import GroupBuffers, UpdateSlice, get_num_threads, set_num_threads, unwrap_data

__all__ = ["Optimizer", "get_num_threads", "set_num_threads"]


# ---------------------------------------------------------------------------------- validation
def _implementation_options(owner: str, capturable: bool = False,
                            differentiable: bool = False) -> None:
    """PyTorch's kernel choices. ``foreach`` / ``fused`` are accepted and change nothing: a
    step already runs as one fused loop (or a few in-place ufuncs) per buffer. ``capturable``
    (CUDA graphs) and ``differentiable`` (autograd through the step) do not exist here."""
    if capturable:
        raise ValueError(f"{owner}: capturable=True is for CUDA graphs, which lucidnet (CPU only) "
                         "does not have; leave it False")
    if differentiable:
        raise ValueError(f"{owner}: differentiable=True (autograd through the optimizer step) "
                         "is not supported by lucidnet; leave it False")


def _check_betas(owner: str, betas) -> tuple[float, float]:
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{owner}: betas must be a pair (beta1, beta2), got {betas!r}")
    return (check_real(owner, "betas[0]", betas[0], 0.0, high=1.0),
            check_real(owner, "betas[1]", betas[1], 0.0, high=1.0))


#: boolean options of the optimizers; each must be a real bool (``maximize="False"`` is truthy)
_FLAGS = ("nesterov", "maximize", "amsgrad", "centered", "decoupled_weight_decay",
          "eps_inside_sqrt")


class Optimizer:
    """Base class of every optimizer, with PyTorch's interface.

    Holds ``param_groups`` (a list of dicts: the hyperparameters and ``"params"``) and the
    per-parameter state, and runs ``step``: for every parameter ``θ`` with a gradient ``g``,
    ``θ ← update(θ, g, state, hyperparameters)`` with the update of the subclass.

    Parameters
    ----------
    params : iterable of Parameter, or of dict
        The parameters to optimize (``model.parameters()``), or param groups: dicts with a
        ``"params"`` entry and hyperparameters that override ``defaults`` for that group.
    defaults : dict
        The subclass's hyperparameters (``lr`` ...), used where a group does not set them.

    Notes
    -----
    A subclass sets ``defaults`` through ``__init__`` and defines

    * ``_state_names(group)``: the names of its per-element state (``"exp_avg"`` ...), and
      ``_scalar_names``: per-parameter scalars with their initial values;
    * ``_update(group, s)``: the NumPy reference update of one bucket ``s`` (an
      ``UpdateSlice``: ``s.param``, ``s.grad``, ``s.state[name]``, ``s.work``, ``s.step``,
      ``s.scalars``), with ``_n_work`` scratch rows;
    * optionally ``_fusable(group)`` / ``_fused_plan(group, step, scalars, cast)``: the same
      update as one compiled loop (``lucidnet._fast.optim_kernels``).

    Examples
    --------
    >>> import numpy as np
    >>> from lucidnet import optim
    >>> from lucidnet.nn import Parameter
    >>> w = Parameter(np.array([1.0, -2.0]))
    >>> opt = optim.SGD([w], lr=0.5)
    >>> w.grad = np.array([0.2, 0.4])
    >>> opt.step()
    >>> w.data.tolist()
    [0.9, -2.2]
    >>> opt.param_groups[0]["lr"]
    0.5
    """

    #: per-parameter scalar state ``(name, initial value)`` (NAdam's ``mu_product``)
    _scalar_names: tuple[tuple[str, float], ...] = ()
    #: scratch rows the NumPy ``_update`` receives as ``s.work`` (each a 1-D array like ``θ``)
    _n_work = 1

    def __init__(self, params, defaults: dict[str, Any]):
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self._data: list[GroupBuffers] = []
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
        group["lr"] = check_real(name, "lr", group["lr"], 0.0)
        if "weight_decay" in group:
            group["weight_decay"] = check_real(name, "weight_decay", group["weight_decay"], 0.0)
        for key in _FLAGS:
            if key in group:
                group[key] = check_bool(name, key, group[key])

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters.

        Parameters
        ----------
        param_group : dict
            ``{"params": [...], "lr": ..., ...}``; options it does not set take the
            optimizer's ``defaults``. A parameter may belong to one group only, and one group
            holds one dtype.

        Examples
        --------
        >>> import numpy as np
        >>> from lucidnet import optim
        >>> from lucidnet.nn import Parameter
        >>> opt = optim.SGD([Parameter(np.zeros(2))], lr=0.1)
        >>> opt.add_param_group({"params": [Parameter(np.zeros(3))], "lr": 0.01})
        >>> [g["lr"] for g in opt.param_groups]
        [0.1, 0.01]
        """
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
            unwrap_data(p)
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
        self._data.append(GroupBuffers(params, params[0].data.dtype))

    # ------------------------------------------------------------------ grads
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Drop (``set_to_none=True``, PyTorch's default) or zero every parameter's ``.grad``.

        Parameters
        ----------
        set_to_none : bool
            ``p.grad = None`` (the next backward writes a fresh gradient and the step skips
            parameters left without one) instead of filling the gradients with 0.
        """
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
        """Update every parameter that has a gradient: ``θ ← update(θ, g, state)``.

        Parameters
        ----------
        closure : callable, optional
            Re-evaluates the model and returns the loss (called before the update).

        Returns
        -------
        The closure's loss, or None.
        """
        loss = None
        if closure is not None:
            loss = closure()
        for group, gd in zip(self.param_groups, self._data):
            self._step_group(group, gd)
        return loss

    def _prepare(self, group: dict[str, Any], gd: GroupBuffers) -> None:
        gd.prepare(self._state_names(group), lambda n: self._init_value(n, group),
                   self._scalar_names, type(self).__name__)

    def _step_group(self, group: dict[str, Any], gd: GroupBuffers) -> None:
        _engine.step_group(self, group, gd)

    # ------------------------------------------------------------------ the algorithm
    def _update(self, group: dict[str, Any], s: UpdateSlice) -> None:  # pragma: no cover
        raise NotImplementedError(f"{type(self).__name__} must implement _update")

    def _fusable(self, group: dict[str, Any]) -> bool:
        """Whether `_fused_plan` implements this group's update (else the NumPy path runs)."""
        return False

    def _blas_threaded(self, group: dict[str, Any]) -> bool:
        """Whether this group's fused plan hands its large parameters to BLAS (``run.axpy``),
        whose own threads share the work out: the engine then runs it on one Python thread."""
        return False

    def _fused_plan(self, group: dict[str, Any], step: int, scalars: dict[str, float],
                    dtype: np.dtype):  # pragma: no cover - only if _fusable
        """Compute the coefficients of this step (updating ``scalars``, the per-parameter scalar
        state) and return ``run(param, grad, *state)`` that applies the update in one pass over
        1-D arrays of ``dtype`` (the state in the order of ``_state_names``)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ state_dict
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's hyperparameters and state as plain Python values and NumPy arrays.

        Returns
        -------
        dict
            ``{"optimizer": class name, "state": {index: {"step": int, name: array, ...}},
            "param_groups": [{option: value, ..., "params": [indices]}]}`` with PyTorch's state
            names; parameters are numbered across the groups in order. Arrays are copies.
            Nothing needs pickle: ``lucidnet.save`` writes it as JSON + ``.npz``.
        """
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
        """Restore the hyperparameters and state saved by `state_dict`.

        Parameters
        ----------
        state_dict : dict
            From ``state_dict()`` of the same optimizer class over parameters of the same
            shapes (keys of ``"state"`` may be strings, as after JSON). Raises ValueError,
            naming what differs, for anything else. The run then continues exactly as if it
            had not stopped.
        """
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
