"""Training diagnostics: gradient flow, activation statistics, dead / saturated units.

Each symptom of a network that trains badly is a number:

* **vanishing / exploding gradients** -- the gradient norm of each layer; the ratio
  ``first layer / last layer`` (deep sigmoid nets: tiny; ReLU + He init: near 1);
* **dying ReLU** -- the fraction of a ReLU layer's units that output 0 for *every* probe sample
  (for images: every sample and position of the channel);
* **saturation** -- the fraction of Sigmoid / Tanh units whose output is within 0.01 of the
  asymptotes (σ < 0.01 or > 0.99, |tanh| > 0.99) on most (> 90 %) probe samples;
* **non-zero-centred outputs** -- each layer's output mean and standard deviation.

`GradientMonitor` records these every epoch in ``monitor.records`` and warns in words while
training; `layer_outputs`, `activation_stats`, `gradient_norms` and `diagnose` do it once.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..autograd.tensor import Tensor
from ..nn._probe import layer_outputs
from ..nn.activation import LeakyReLU, ReLU, Sigmoid, Tanh
from ..nn.loss import get_loss
from ..nn.module import Module
from .callbacks import Callback

__all__ = [
    "DiagnosticWarning",
    "GradientMonitor",
    "activation_stats",
    "diagnose",
    "gradient_norms",
    "layer_outputs",
]

_SATURATED_SAMPLES = 0.9  # a unit is saturated when this fraction of samples sits at an asymptote


class DiagnosticWarning(UserWarning):
    """A training pathology detected by `GradientMonitor` (dead units, vanishing gradients ...).

    Examples
    --------
    >>> import warnings
    >>> from lucidnet.train import DiagnosticWarning
    >>> issubclass(DiagnosticWarning, UserWarning)
    True
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("layer 1 (ReLU): 80% of units are dead", DiagnosticWarning)
    >>> caught[0].category.__name__
    'DiagnosticWarning'
    """


def _per_unit(out: np.ndarray) -> np.ndarray:
    """(N, C, *S) -> (N * prod(S), C): one column per unit (feature or channel)."""
    if out.ndim == 1:
        return out.reshape(-1, 1)
    if out.ndim == 2:
        return out
    return np.moveaxis(out, 1, -1).reshape(-1, out.shape[1])


def activation_stats(model: Module, X) -> dict:
    """``{layer name: {"type", "mean", "std", ["dead_fraction"], ["saturated_fraction"]}}``.

    dead_fraction (ReLU): share of units with output 0 on every probe sample.
    saturated_fraction (Sigmoid/Tanh): share of units at an asymptote on > 90 % of samples.

    ``X`` (N, ...) is run through ``model`` once (no gradient); layers are named as in
    ``model.named_modules()``.

    Examples
    --------
    >>> from lucidnet.train import activation_stats
    >>> model = ln.nn.Sequential(ln.nn.Linear(2, 4), ln.nn.ReLU(), ln.nn.Linear(4, 2))
    >>> X = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    >>> stats = activation_stats(model, X)
    >>> list(stats), stats["1"]["type"], sorted(stats["1"])
    (['0', '1', '2'], 'ReLU', ['dead_fraction', 'mean', 'std', 'type'])
    """
    stats = {}
    for name, m, out in layer_outputs(model, X):
        entry = {"type": type(m).__name__, "mean": float(out.mean()), "std": float(out.std())}
        units = _per_unit(out)
        if isinstance(m, ReLU) and not isinstance(m, LeakyReLU):
            entry["dead_fraction"] = float(np.mean(units.max(axis=0) <= 0))
        elif isinstance(m, Sigmoid):
            at_edge = (units < 0.01) | (units > 0.99)
            entry["saturated_fraction"] = float(np.mean(at_edge.mean(axis=0) > _SATURATED_SAMPLES))
        elif isinstance(m, Tanh):
            at_edge = np.abs(units) > 0.99
            entry["saturated_fraction"] = float(np.mean(at_edge.mean(axis=0) > _SATURATED_SAMPLES))
        stats[name] = entry
    return stats


def gradient_norms(model: Module) -> dict:
    """L2 norm of the current ``.grad`` of each layer (all its parameters together), in order:
    ``sqrt(sum over the layer's parameters of sum(grad²))``; layers without gradients are left
    out. Call it after ``loss.backward()``.

    Examples
    --------
    >>> from lucidnet.train import gradient_norms
    >>> model = ln.nn.Sequential(ln.nn.Linear(2, 4), ln.nn.ReLU(), ln.nn.Linear(4, 1))
    >>> model(ln.tensor(np.ones((3, 2), dtype=np.float32))).sum().backward()
    >>> list(gradient_norms(model))                      # the two Linear layers
    ['0', '2']
    """
    squares: dict = {}
    for name, p in model.named_parameters():
        layer = name.rsplit(".", 1)[0] if "." in name else name
        if p.grad is not None:
            squares[layer] = squares.get(layer, 0.0) + float(np.vdot(p.grad.data, p.grad.data))
    return {k: math.sqrt(v) for k, v in squares.items()}


def diagnose(model: Module, X, y, loss) -> dict:
    """One forward/backward pass on (X, y): gradient norms, activation statistics and the
    warnings `GradientMonitor` would give. ``loss``: a loss module or name ("mse", ...).
    The model's ``.grad`` fields are left holding this batch's gradients.

    Returns ``{"epoch": 0, "grad_norm": {...}, "activations": {...}, "warnings": [...]}`` (one
    record of :class:`GradientMonitor`).

    Examples
    --------
    >>> from lucidnet.train import diagnose
    >>> model = ln.nn.Sequential(ln.nn.Linear(2, 4), ln.nn.ReLU(), ln.nn.Linear(4, 2))
    >>> X = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> report = diagnose(model, X, y, "cross_entropy")
    >>> sorted(report), sorted(report["grad_norm"])
    (['activations', 'epoch', 'grad_norm', 'warnings'], ['0', '2'])
    """
    loss_fn = get_loss(loss) if isinstance(loss, str) else loss
    X = np.asarray(X)
    dtype = next((p.dtype for p in model.parameters()), np.dtype(np.float32))
    model.zero_grad()
    out = model(Tensor(X.astype(dtype, copy=False)))
    y = np.asarray(y)
    if y.ndim == 1 and out.ndim == 2 and out.shape[1] == 1 and y.dtype.kind == "f":
        y = y.reshape(-1, 1)
    loss_fn(out, y.astype(dtype) if y.dtype.kind == "f" else y).backward()
    monitor = GradientMonitor(probe=X, warn=False)
    record = monitor._record(epoch=0, grad_norm=gradient_norms(model), model=model)
    return record


# ---------------------------------------------------------------------------- the callback
class GradientMonitor(Callback):
    """Record gradient norms and activation statistics each epoch; warn about pathologies.

    Parameters
    ----------
    probe : array_like, optional
        Samples (a few hundred) run through the model at the end of each epoch for the
        activation statistics; ``None`` uses the last training batch (small batches make the
        dead-unit count unreliable: pass a probe).
    every_n_batches : int
        Gradient norms are read after every n-th batch and averaged per epoch.
    dead_threshold : float
        Warn when more than this fraction of a ReLU layer's units are dead.
    saturation_threshold : float
        Warn when more than this fraction of Sigmoid/Tanh units are saturated.
    explode_threshold : float
        Warn when a layer's gradient norm ``sqrt(sum(g ** 2))`` exceeds this.
    vanish_ratio : float
        Warn when ``norm(first layer) / norm(last layer)`` is below this.
    warn : bool
        Issue `DiagnosticWarning`\\ s (each kind once per layer per ``fit``).

    Attributes
    ----------
    records : list of dict
        One dict per epoch, e.g.
        ``{"epoch": 0, "grad_norm": {"0": 0.8, "2": 0.3}, "activations": {"1": {"type": "ReLU",
        "mean": .., "std": .., "dead_fraction": 0.1}, ...}, "warnings": ["layer 1 (ReLU): ..."]}``.

    Examples
    --------
    >>> from lucidnet.train import GradientMonitor, Trainer
    >>> X = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> model = ln.nn.Sequential(ln.nn.Linear(2, 4), ln.nn.ReLU(), ln.nn.Linear(4, 2))
    >>> monitor = GradientMonitor(probe=X)
    >>> trainer = Trainer(model, ln.nn.CrossEntropyLoss(),
    ...                   ln.optim.SGD(model.parameters(), lr=0.1), callbacks=[monitor])
    >>> _ = trainer.fit(X, y, epochs=2, batch_size=16)
    >>> len(monitor.records), sorted(monitor.records[0])
    (2, ['activations', 'epoch', 'grad_norm', 'warnings'])
    """

    def __init__(self, probe=None, every_n_batches: int = 1, dead_threshold: float = 0.5,
                 saturation_threshold: float = 0.5, explode_threshold: float = 1e3,
                 vanish_ratio: float = 1e-3, warn: bool = True):
        if not isinstance(every_n_batches, (int, np.integer)) or every_n_batches < 1:
            raise ValueError(f"GradientMonitor: every_n_batches must be an integer >= 1, "
                             f"got {every_n_batches!r}")
        for name, v in (("dead_threshold", dead_threshold),
                        ("saturation_threshold", saturation_threshold)):
            if not isinstance(v, (int, float)) or not 0 <= v <= 1:
                raise ValueError(f"GradientMonitor: {name} must be a fraction in [0, 1], got {v!r}")
        for name, v in (("explode_threshold", explode_threshold), ("vanish_ratio", vanish_ratio)):
            if not isinstance(v, (int, float)) or not v > 0:
                raise ValueError(f"GradientMonitor: {name} must be a positive number, got {v!r}")
        self.probe = None if probe is None else np.asarray(probe)
        if self.probe is not None and len(self.probe) == 0:
            raise ValueError("GradientMonitor: probe is empty; pass a few hundred input samples")
        self.every_n_batches = int(every_n_batches)
        self.dead_threshold = dead_threshold
        self.saturation_threshold = saturation_threshold
        self.explode_threshold = explode_threshold
        self.vanish_ratio = vanish_ratio
        self.warn = warn
        self.records: list[dict] = []
        self._sums: dict = {}
        self._count = 0
        self._last_input = None
        self._warned: set = set()

    # -- hooks
    def on_train_begin(self, logs=None):
        self._warned = set()
        if self.probe is None:  # keep a reference to the latest training batch
            model = self.trainer.model
            original = model.forward

            def keep_input(x, *args, **kwargs):
                if model.training:
                    self._last_input = x.data if isinstance(x, Tensor) else x
                return original(x, *args, **kwargs)
            object.__setattr__(model, "forward", keep_input)

    def on_train_end(self, logs=None):
        self.trainer.model.__dict__.pop("forward", None)

    def on_exception(self, exception):      # a failed fit must not leave forward patched
        self.on_train_end()

    def on_epoch_begin(self, epoch, logs=None):
        self._sums, self._count = {}, 0

    def on_batch_end(self, batch, logs=None):
        if batch % self.every_n_batches:
            return
        for layer, norm in gradient_norms(self.trainer.model).items():
            self._sums[layer] = self._sums.get(layer, 0.0) + norm
        self._count += 1

    def on_epoch_end(self, epoch, logs=None):
        norms = {k: v / max(self._count, 1) for k, v in self._sums.items()}
        record = self._record(epoch, norms, self.trainer.model)
        self.records.append(record)

    # -- analysis
    def _record(self, epoch, grad_norm, model) -> dict:
        probe = self.probe if self.probe is not None else self._last_input
        acts = activation_stats(model, probe) if probe is not None else {}
        messages = self._diagnose(grad_norm, acts)
        if self.warn:
            for key, text in messages:
                if key not in self._warned:
                    self._warned.add(key)
                    warnings.warn(f"epoch {epoch + 1}: {text}", DiagnosticWarning, stacklevel=4)
        return {"epoch": epoch, "grad_norm": grad_norm, "activations": acts,
                "warnings": [text for _, text in messages]}

    def _diagnose(self, grad_norm: dict, acts: dict) -> list:
        out = []

        def add(key, *parts):
            out.append((key, "".join(parts)))

        for name, a in acts.items():
            dead = a.get("dead_fraction", 0.0)
            if dead > self.dead_threshold:
                add(("dead", name), f"layer {name} ({a['type']}): {dead:.0%} of units dead ",
                    "(zero output on every probe sample) -- lower the learning rate, ",
                    "check the initialization/bias, or use LeakyReLU")
            sat = a.get("saturated_fraction", 0.0)
            if sat > self.saturation_threshold:
                add(("saturated", name), f"layer {name} ({a['type']}): {sat:.0%} of units ",
                    "saturated (output at its asymptote on most samples, so their gradient ",
                    "vanishes) -- normalize the inputs, use smaller initial weights, or ReLU")
        for name, norm in grad_norm.items():
            if not math.isfinite(norm):
                add(("nonfinite", name), f"layer {name}: gradient norm is {norm} -- lower ",
                    "the learning rate or clip gradients")
            elif norm > self.explode_threshold:
                add(("explode", name), f"exploding gradients: layer {name} has gradient ",
                    f"norm {norm:.3g} (> {self.explode_threshold:g}) -- lower the learning ",
                    "rate, clip gradients or normalize the inputs")
        names = list(grad_norm)
        if len(names) >= 2:
            first, last = grad_norm[names[0]], grad_norm[names[-1]]
            if math.isfinite(first) and last > 0 and first / last < self.vanish_ratio:
                add(("vanish", names[0]), f"vanishing gradients: the first layer ({names[0]}) ",
                    f"gets {first / last:.1e} times the gradient norm of the last layer ",
                    f"({names[-1]}) -- use ReLU with He initialization, batch normalization or ",
                    "fewer layers")
        return out
