import numpy as np
import pytest

import lucidnet


@pytest.fixture(autouse=True)
def _seed_and_dtype():
    """Every test starts from seed 0 and the float32 default."""
    lucidnet.manual_seed(0)
    lucidnet.set_default_dtype(np.float32)
    yield
    lucidnet.set_default_dtype(np.float32)
