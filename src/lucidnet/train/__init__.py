"""Training: the `Trainer` loop, `History`, callbacks."""

from .callbacks import Callback, CallbackList, ProgressBar
from .history import History
from .trainer import Trainer, TrainingDiverged

__all__ = ["Trainer", "TrainingDiverged", "History", "Callback", "CallbackList", "ProgressBar"]
