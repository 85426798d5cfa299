"""Training: the `Trainer` loop, `History`, callbacks, checkpoints, diagnostics."""

from .callbacks import (
    Callback,
    CallbackList,
    CSVLogger,
    EarlyStopping,
    GracefulInterrupt,
    LearningRateScheduler,
    ModelCheckpoint,
    ProgressBar,
    TerminateOnNaN,
)
from .checkpoint import load_checkpoint, read_checkpoint, save_checkpoint
from .history import History
from .trainer import Trainer, TrainingDiverged

__all__ = [
    "CSVLogger", "Callback", "CallbackList", "EarlyStopping", "GracefulInterrupt", "History",
    "LearningRateScheduler", "ModelCheckpoint", "ProgressBar", "TerminateOnNaN", "Trainer",
    "TrainingDiverged", "load_checkpoint", "read_checkpoint", "save_checkpoint",
]
