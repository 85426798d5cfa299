"""Neural-network building blocks: Module, layers, activations, losses, initializers."""

from . import functional, init
from .activation import (ACTIVATIONS, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Step, Tanh,
                         get_activation)
from .linear import Identity, Linear
from .loss import (LOSSES, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss,
                   L1Loss, MSELoss, NLLLoss, get_loss)
from .module import Module, ModuleList, Parameter, Sequential

__all__ = [
    "functional", "init", "Module", "Parameter", "Sequential", "ModuleList", "Linear", "Identity",
    "Step", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softmax", "LogSoftmax", "ACTIVATIONS",
    "get_activation", "MSELoss", "L1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss",
    "CrossEntropyLoss", "NLLLoss", "KLDivLoss", "LOSSES", "get_loss",
]
