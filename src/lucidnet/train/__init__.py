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
from .capacity import CapacityResult, capacity_sweep
from .checkpoint import load_checkpoint, read_checkpoint, save_checkpoint
from .diagnostics import (
    DiagnosticWarning,
    GradientMonitor,
    activation_stats,
    diagnose,
    gradient_norms,
    layer_outputs,
)
from .history import History
from .lr_finder import LRFinderResult, lr_find
from .trainer import Trainer, TrainingDiverged

__all__ = [
    "CSVLogger", "Callback", "CallbackList", "CapacityResult", "DiagnosticWarning",
    "EarlyStopping", "GracefulInterrupt", "GradientMonitor", "History", "LRFinderResult",
    "LearningRateScheduler", "ModelCheckpoint", "ProgressBar", "TerminateOnNaN", "Trainer",
    "TrainingDiverged", "activation_stats", "capacity_sweep", "diagnose", "gradient_norms",
    "layer_outputs", "load_checkpoint", "lr_find", "read_checkpoint", "save_checkpoint",
]
