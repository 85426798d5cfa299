"""Callbacks: no-op hooks the `Trainer` calls at train / epoch / batch begin and end.

A callback may read ``self.trainer`` (model, optimizer, history) and set
``self.trainer.stop_training = True`` to end training after the current epoch.
"""

from __future__ import annotations

__all__ = ["Callback", "CallbackList", "ProgressBar"]


class Callback:
    """Base class: override the hooks you need (all default to doing nothing)."""

    trainer = None

    def set_trainer(self, trainer) -> None:
        self.trainer = trainer

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...


class CallbackList(Callback):
    """Forwards every hook to each callback in order."""

    HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
             "on_batch_begin", "on_batch_end")

    def __init__(self, callbacks=()):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks must be Callback instances, got {type(cb).__name__}")
        # only dispatch to callbacks that override a hook: the per-batch cost stays ~zero
        for hook in self.HOOKS:
            active = [getattr(cb, hook) for cb in self.callbacks
                      if getattr(type(cb), hook) is not getattr(Callback, hook)]
            setattr(self, hook, self._dispatch(active))

    @staticmethod
    def _dispatch(methods):
        if not methods:
            return lambda *args, **kwargs: None

        def call(*args, **kwargs):
            for m in methods:
                m(*args, **kwargs)
        return call

    def set_trainer(self, trainer) -> None:
        for cb in self.callbacks:
            cb.set_trainer(trainer)


class ProgressBar(Callback):
    """A tqdm bar per epoch showing the running loss and, at the end, every metric."""

    def __init__(self, update_every: int = 10):
        self.update_every = update_every
        self.bar = None

    def on_epoch_begin(self, epoch, logs=None):
        from tqdm.auto import tqdm

        total_epochs = self.trainer.params.get("epochs")
        self.bar = tqdm(total=self.trainer.params.get("steps"), desc=f"epoch {epoch + 1}/{total_epochs}",
                        unit="batch", leave=True, dynamic_ncols=True, mininterval=0.2)

    def on_batch_end(self, batch, logs=None):
        if self.bar is None:
            return
        self.bar.update(1)
        if batch % self.update_every == 0 and logs:
            self.bar.set_postfix(loss=f"{logs['loss']:.4f}", refresh=False)

    def on_epoch_end(self, epoch, logs=None):
        if self.bar is None:
            return
        self.bar.set_postfix({k: f"{v:.4f}" for k, v in (logs or {}).items()
                              if isinstance(v, float)}, refresh=False)
        self.bar.close()
        self.bar = None
