"""Neural-network building blocks: Module, layers, activations, losses, initializers."""

from . import functional, init, parallel
from .activation import (
                         ACTIVATIONS,
                         CELU,
                         ELU,
                         GELU,
                         GLU,
                         SELU,
                         Hardshrink,
                         Hardsigmoid,
                         Hardswish,
                         Hardtanh,
                         LeakyReLU,
                         LogSigmoid,
                         LogSoftmax,
                         Mish,
                         PReLU,
                         ReLU,
                         ReLU6,
                         Sigmoid,
                         SiLU,
                         Softmax,
                         Softmax2d,
                         Softmin,
                         Softplus,
                         Softshrink,
                         Softsign,
                         Step,
                         Tanh,
                         Tanhshrink,
                         Threshold,
                         get_activation,
)
from .linear import Identity, Linear
from .loss import (
                         LOSSES,
                         BCELoss,
                         BCEWithLogitsLoss,
                         CosineEmbeddingLoss,
                         CosineSimilarity,
                         CrossEntropyLoss,
                         GaussianNLLLoss,
                         HingeEmbeddingLoss,
                         HuberLoss,
                         KLDivLoss,
                         L1Loss,
                         MarginRankingLoss,
                         MSELoss,
                         MultiLabelSoftMarginLoss,
                         NLLLoss,
                         PairwiseDistance,
                         PoissonNLLLoss,
                         SmoothL1Loss,
                         SoftMarginLoss,
                         TripletMarginLoss,
                         get_loss,
)
from .module import Module, ModuleList, Parameter, Sequential

__all__ = [
    "functional", "init", "parallel", "DataParallel", "Module", "Parameter", "Sequential", "ModuleList", "Linear", "Identity",
    "Step", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softmax", "LogSoftmax", "ACTIVATIONS",
    "get_activation", "ELU", "GELU", "Hardtanh", "LogSigmoid", "Mish", "ReLU6", "SiLU",
    "Softplus", "SELU", "CELU", "Hardsigmoid", "Hardswish", "PReLU", "Softmin", "Softsign",
    "Tanhshrink", "Threshold", "Hardshrink", "Softshrink", "GLU", "Softmax2d", "CosineSimilarity",
    "PairwiseDistance", "RMSNorm", "MSELoss", "L1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss",
    "CrossEntropyLoss", "NLLLoss", "SmoothL1Loss", "MarginRankingLoss", "HingeEmbeddingLoss",
    "SoftMarginLoss", "CosineEmbeddingLoss", "TripletMarginLoss", "PoissonNLLLoss",
    "GaussianNLLLoss", "MultiLabelSoftMarginLoss", "KLDivLoss", "LOSSES", "get_loss",
]

# convolution, pooling, normalization, dropout, noise
from .conv import (
                         Conv1d,
                         Conv2d,
                         ConvTranspose1d,
                         ConvTranspose2d,
                         conv1d,
                         conv2d,
                         conv_transpose1d,
                         conv_transpose2d,
)
from .dropout import Dropout, Dropout1d, Dropout2d
from .embedding import Embedding
from .flatten import Flatten, Unflatten
from .noise import GaussianNoise, WeightNoise
from .normalization import (
                         BatchNorm1d,
                         BatchNorm2d,
                         BatchNorm3d,
                         GroupNorm,
                         InstanceNorm1d,
                         InstanceNorm2d,
                         LayerNorm,
    RMSNorm,
)
from .padding import (
    CircularPad1d,
    CircularPad2d,
    ConstantPad1d,
    ConstantPad2d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReplicationPad1d,
    ReplicationPad2d,
    ZeroPad1d,
    ZeroPad2d,
)
from .parallel import DataParallel  # noqa: E402
from .pooling import (
                         AdaptiveAvgPool1d,
                         AdaptiveAvgPool2d,
                         AdaptiveMaxPool1d,
                         AdaptiveMaxPool2d,
                         AvgPool1d,
                         AvgPool2d,
                         MaxPool1d,
                         MaxPool2d,
)
from .upsampling import (
    PixelShuffle,
    PixelUnshuffle,
    Upsample,
    UpsamplingBilinear2d,
    UpsamplingNearest2d,
)

__all__ += [
    "Conv1d", "Conv2d", "conv1d", "conv2d", "ConvTranspose1d", "ConvTranspose2d",
    "conv_transpose1d", "conv_transpose2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "Flatten", "Unflatten", "Embedding", "ZeroPad1d", "ZeroPad2d", "ConstantPad1d",
    "ConstantPad2d", "ReflectionPad1d", "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d",
    "CircularPad1d", "CircularPad2d", "PixelShuffle", "PixelUnshuffle", "Upsample", "UpsamplingNearest2d",
    "UpsamplingBilinear2d", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d",
    "LayerNorm", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "Dropout", "Dropout1d",
    "Dropout2d", "GaussianNoise", "WeightNoise",
]

from .preprocessing import Standardize  # noqa: E402  (the CLI input scaler as a layer)

__all__ += ["Standardize"]

from . import utils  # noqa: E402  (nn.utils.clip_grad_norm_, parameters_to_vector, ...)

__all__ += ["utils"]

from .module import ModuleDict, ParameterDict, ParameterList  # noqa: E402  (torch's containers)

__all__ += ["ModuleDict", "ParameterDict", "ParameterList"]

from .lazy import (  # noqa: E402  (in_features / in_channels read from the first input)
    LazyConv1d,
    LazyConv2d,
    LazyConvTranspose1d,
    LazyConvTranspose2d,
    LazyLinear,
    LazyModuleMixin,
    UninitializedParameter,
)
from .linear import Bilinear  # noqa: E402

__all__ += ["Bilinear", "LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConvTranspose1d",
            "LazyConvTranspose2d", "LazyModuleMixin", "UninitializedParameter"]

# max unpooling and the 3-D padding layers
from .padding import (  # noqa: E402
    CircularPad3d,
    ConstantPad3d,
    ReflectionPad3d,
    ReplicationPad3d,
    ZeroPad3d,
)
from .pooling import MaxUnpool1d, MaxUnpool2d  # noqa: E402

__all__ += ["MaxUnpool1d", "MaxUnpool2d", "ZeroPad3d", "ConstantPad3d", "ReflectionPad3d",
            "ReplicationPad3d", "CircularPad3d"]

from .loss import MultiLabelMarginLoss, MultiMarginLoss, TripletMarginWithDistanceLoss  # noqa: E402
from .model_summary import LayerSummary, ModelSummary, summary  # noqa: E402
from .module import Buffer, StateDictError  # noqa: E402

__all__ += ["MultiMarginLoss", "MultiLabelMarginLoss", "TripletMarginWithDistanceLoss",
            "summary", "ModelSummary", "LayerSummary", "Buffer", "StateDictError"]

from .sync_batchnorm import SyncBatchNorm  # noqa: E402  (issue 11: statistics over all ranks)

__all__ += ["SyncBatchNorm"]
