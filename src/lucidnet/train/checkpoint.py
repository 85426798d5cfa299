"""Training checkpoints: save a run, resume it exactly (an interrupted run continues as if
it had never stopped).

A checkpoint is one ``.npz`` file written atomically by `lucidnet.io.save_state` (never pickle)::

    {"kind": "checkpoint",
     "config": model architecture (JSON), "dtype": "float32", "state_dict": model weights,
     "trainer": Trainer.state_dict() without the model (optimizer, schedule, epoch, history, RNGs),
     "callbacks": [{"class": "EarlyStopping", "state": {...}}, ...],   # resumable callbacks
     "metadata": {"epoch": 7, ...caller's extra...}}

Because it has ``config`` and ``state_dict`` at the top level, ``lucidnet.load(path)`` rebuilds the
model from a checkpoint too. Resuming::

    trainer = Trainer(build_model(), loss, optim.Adam(...), scheduler=..., callbacks=[...])
    load_checkpoint("run/last.npz", trainer)         # same architecture, optimizer class, schedule
    trainer.fit(X, y, epochs=total_epochs - trainer.epoch, batch_size=..., seed=...)

gives weights identical (bit for bit) to a run that was never interrupted, because the shuffling
generator, the global generator (dropout masks, noise) and every optimizer / schedule state are
restored.

Data-parallel training (``mpirun -n N``, see `Trainer.fit`): every rank holds the same weights,
optimizer state, schedule and shuffling generator, so a checkpoint holds no per-rank state;
rank 0 writes it (`ModelCheckpoint` and `GracefulInterrupt` do so by themselves) and it resumes
on any number of ranks, one process included: every rank calls `load_checkpoint` on the same
file (a file system all ranks see). The global generator saved is rank 0's.
"""

from __future__ import annotations

import os

from ..io import ModelFileError, _check_finite, load_state, model_config, save_state

__all__ = ["checkpoint_state", "load_checkpoint", "read_checkpoint", "save_checkpoint"]


def checkpoint_state(trainer, extra: dict | None = None) -> dict:
    """The nested dict `save_checkpoint` writes (arrays, numbers, strings, lists, dicts).

    Keys: ``"kind"``, ``"state_dict"`` (the weights), ``"trainer"`` (optimizer, schedule,
    epoch, history, RNG states), ``"dtype"``, ``"callbacks"``, ``"metadata"`` (``extra``) and,
    when the architecture is JSON-able, ``"config"``. See :func:`save_checkpoint`.

    Examples
    --------
    >>> from lucidnet.train import Trainer
    >>> X = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> def make_trainer(callbacks=()):
    ...     model = ln.nn.Sequential(ln.nn.Linear(2, 4), ln.nn.ReLU(), ln.nn.Linear(4, 2))
    ...     return Trainer(model, ln.nn.CrossEntropyLoss(),
    ...                    ln.optim.SGD(model.parameters(), lr=0.1), callbacks=list(callbacks))
    >>> from lucidnet.train.checkpoint import checkpoint_state
    >>> trainer = make_trainer()
    >>> _ = trainer.fit(X, y, epochs=1, batch_size=16)
    >>> state = checkpoint_state(trainer, extra={"run": "demo"})
    >>> sorted(state), state["metadata"], sorted(state["state_dict"])
    (['callbacks', 'config', 'dtype', 'kind', 'metadata', 'state_dict', 'trainer'], {'run': 'demo'}, ['0.bias', '0.weight', '2.bias', '2.weight'])
    """
    state = trainer.state_dict()
    weights = state.pop("model")
    out = {"kind": "checkpoint", "state_dict": weights, "trainer": state,
           "dtype": next((str(p.dtype) for p in trainer.model.parameters()), "float32"),
           "callbacks": [{"class": type(cb).__name__, "state": cb.state_dict()}
                         for cb in trainer.callbacks if hasattr(cb, "state_dict")],
           "metadata": dict(extra or {})}
    try:
        out["config"] = model_config(trainer.model)
    except TypeError:  # a custom model whose constructor arguments are not JSON: weights only
        pass
    return out


def save_checkpoint(path, trainer, extra: dict | None = None, *,
                    allow_nonfinite: bool = False) -> str:
    """Write everything needed to resume ``trainer`` exactly to ``path`` (.npz, atomic).

    ``extra``: JSON-able metadata stored alongside (e.g. the command-line arguments of the run).
    A model whose parameters or buffers hold nan/inf is refused with a ValueError naming the
    tensor, unless ``allow_nonfinite=True``. Returns the path written.

    Examples
    --------
    >>> from lucidnet.train import Trainer, load_checkpoint, save_checkpoint
    >>> X = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> def make_trainer():
    ...     model = ln.nn.Sequential(ln.nn.Linear(2, 4), ln.nn.ReLU(), ln.nn.Linear(4, 2))
    ...     return Trainer(model, ln.nn.CrossEntropyLoss(),
    ...                    ln.optim.SGD(model.parameters(), lr=0.1))
    >>> trainer = make_trainer()
    >>> _ = trainer.fit(X, y, epochs=2, batch_size=16)
    >>> save_checkpoint("run.npz", trainer, extra={"note": "demo"})
    'run.npz'
    >>> resumed = make_trainer()                      # built the same way
    >>> load_checkpoint("run.npz", resumed)           # returns the metadata
    {'note': 'demo'}
    >>> len(resumed.history), np.array_equal(resumed.model[0].weight.numpy(),
    ...                                       trainer.model[0].weight.numpy())
    (2, True)
    """
    if not hasattr(trainer, "state_dict") or not hasattr(trainer, "model"):
        raise TypeError(f"save_checkpoint expects a lucidnet Trainer, got {type(trainer).__name__}")
    state = checkpoint_state(trainer, extra)
    if not allow_nonfinite:
        _check_finite(state["state_dict"], f"a checkpoint to {os.fspath(path)!r}")
    return save_state(path, state)


# what a checkpoint must hold, and the type of each entry
_REQUIRED = {"state_dict": dict, "trainer": dict, "callbacks": list, "metadata": dict}
_REQUIRED_TRAINER = {"optimizer": dict, "epoch": int, "history": dict}


def read_checkpoint(path) -> dict:
    """Load and check a checkpoint file; returns its nested dict (see the module docstring).

    Raises FileNotFoundError for a missing file and `lucidnet.io.ModelFileError` (a ValueError)
    for a damaged one, one that is not a checkpoint, or one missing an entry.

    Examples
    --------
    >>> from lucidnet.train import Trainer
    >>> X = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> def make_trainer(callbacks=()):
    ...     model = ln.nn.Sequential(ln.nn.Linear(2, 4), ln.nn.ReLU(), ln.nn.Linear(4, 2))
    ...     return Trainer(model, ln.nn.CrossEntropyLoss(),
    ...                    ln.optim.SGD(model.parameters(), lr=0.1), callbacks=list(callbacks))
    >>> from lucidnet.train import read_checkpoint, save_checkpoint
    >>> trainer = make_trainer()
    >>> _ = trainer.fit(X, y, epochs=2, batch_size=16)
    >>> state = read_checkpoint(save_checkpoint("run.npz", trainer))
    >>> state["kind"], state["trainer"]["epoch"]
    ('checkpoint', 2)
    >>> _ = ln.save(trainer.model, "model.npz")           # a model file, not a checkpoint
    >>> read_checkpoint("model.npz")
    Traceback (most recent call last):
    ...
    lucidnet.io.ModelFileError: 'model.npz' is not a training checkpoint (it is a model file: load it with lucidnet.load)
    """
    state = load_state(path)
    where = f"{os.fspath(path)!r}"
    if state.get("kind") != "checkpoint":
        hint = " (it is a model file: load it with lucidnet.load)" if "config" in state else ""
        raise ModelFileError(f"{where} is not a training checkpoint{hint}")
    for table, required, prefix in ((state, _REQUIRED, ""),
                                    (state.get("trainer"), _REQUIRED_TRAINER, "trainer.")):
        for key, kind in required.items():
            if not isinstance(table, dict) or key not in table:
                raise ModelFileError(f"checkpoint {where} is missing '{prefix}{key}' (damaged, or "
                                     "not written by lucidnet.train.save_checkpoint)")
            if not isinstance(table[key], kind) or isinstance(table[key], bool):
                raise ModelFileError(f"checkpoint {where}: '{prefix}{key}' is a "
                                     f"{type(table[key]).__name__}, expected {kind.__name__}")
    if not all(isinstance(e, dict) and isinstance(e.get("class"), str) and "state" in e
               for e in state["callbacks"]):
        raise ModelFileError(f"checkpoint {where}: malformed 'callbacks' entry")
    _check_history(state["trainer"]["history"], where)
    return state


def _check_history(history: dict, where: str) -> None:
    """``{"history": {name: [number per epoch]}, "epoch": [int per epoch]}`` (History.to_dict)."""
    epochs, curves = history.get("epoch"), history.get("history")
    ok = isinstance(epochs, list) and isinstance(curves, dict) and \
        all(isinstance(e, int) for e in epochs) and \
        all(isinstance(v, list) and len(v) == len(epochs) and
            all(isinstance(x, (int, float)) for x in v) for v in curves.values())
    if not ok:
        raise ModelFileError(f"checkpoint {where}: 'trainer.history' is malformed (expected "
                             "'epoch': [int] and 'history': {name: [number per epoch]})")


def load_checkpoint(path, trainer) -> dict:
    """Restore model, optimizer, schedule, epoch counter, history, RNGs and callback states.

    The trainer must be built like the one that was saved (same architecture, optimizer class,
    schedule class). A checkpoint of a different architecture is refused with a ValueError naming
    the missing / unexpected keys and mismatching shapes; nothing is changed in that case.
    Returns the checkpoint's metadata (``extra`` given to `save_checkpoint`); see its example.
    A run continued this way for the remaining epochs ends as the uninterrupted run would.

    Examples
    --------
    Resume a run for its remaining epochs:

    >>> from lucidnet.train import Trainer
    >>> X = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> def make_trainer(callbacks=()):
    ...     model = ln.nn.Sequential(ln.nn.Linear(2, 4), ln.nn.ReLU(), ln.nn.Linear(4, 2))
    ...     return Trainer(model, ln.nn.CrossEntropyLoss(),
    ...                    ln.optim.SGD(model.parameters(), lr=0.1), callbacks=list(callbacks))
    >>> from lucidnet.train import load_checkpoint, save_checkpoint
    >>> trainer = make_trainer()
    >>> _ = trainer.fit(X, y, epochs=2, batch_size=16)
    >>> _ = save_checkpoint("run.npz", trainer, extra={"epochs": 5})
    >>> resumed = make_trainer()                        # built like the saved one
    >>> total = load_checkpoint("run.npz", resumed)["epochs"]
    >>> _ = resumed.fit(X, y, epochs=total - resumed.epoch, batch_size=16)
    >>> resumed.epoch, len(resumed.history)
    (5, 5)
    """
    state = read_checkpoint(path)
    given = state["state_dict"]
    saved_opt = state["trainer"].get("optimizer", {}).get("optimizer")
    own_opt = type(trainer.optimizer).__name__
    if saved_opt is not None and saved_opt != own_opt:
        raise ModelFileError(f"checkpoint {os.fspath(path)!r} was trained with {saved_opt}, this "
                             f"trainer uses {own_opt}; build the trainer with the same optimizer "
                             "to resume")
    try:  # Module.load_state_dict checks every key and shape before it copies anything
        trainer.model.load_state_dict(given)
    except (ValueError, TypeError) as err:
        raise ModelFileError(f"checkpoint {os.fspath(path)!r} does not fit this model: "
                             f"{err}") from None
    trainer_state = dict(state["trainer"])
    trainer_state["model"] = given
    saved_cbs = list(state["callbacks"])
    try:  # the entries are well-formed (read_checkpoint) but their contents may not fit
        trainer.load_state_dict(trainer_state)
        for cb in trainer.callbacks:
            if not hasattr(cb, "load_state_dict"):
                continue
            for i, entry in enumerate(saved_cbs):
                if entry["class"] == type(cb).__name__:
                    cb.load_state_dict(entry["state"])
                    del saved_cbs[i]
                    break
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as err:
        raise ModelFileError(f"checkpoint {os.fspath(path)!r} cannot be restored into this "
                             f"trainer: {type(err).__name__}: {err}") from None
    return dict(state["metadata"])
