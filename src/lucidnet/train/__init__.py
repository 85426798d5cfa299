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
from .diagnostics import (
    DiagnosticWarning,
    GradientMonitor,
    activation_stats,
    diagnose,
    gradient_norms,
    layer_outputs,
)
from .history import History
from .trainer import Trainer, TrainingDiverged

__all__ = [
    "CSVLogger",
    "Callback",
    "CallbackList",
    "DiagnosticWarning",
    "EarlyStopping",
    "GracefulInterrupt",
    "GradientMonitor",
    "History",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgressBar",
    "TerminateOnNaN",
    "Trainer",
    "TrainingDiverged",
    "activation_stats",
    "diagnose",
    "gradient_norms",
    "layer_outputs",
    "load_checkpoint",
    "read_checkpoint",
    "save_checkpoint",
]
