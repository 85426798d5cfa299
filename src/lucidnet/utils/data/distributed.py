"""``torch.utils.data.distributed``: `DistributedSampler` (defined in `lucidnet.distributed`)."""

from ...distributed.sampler import DistributedSampler

__all__ = ["DistributedSampler"]
