"""The ops' buffer pool never hands out memory that a live array still uses."""

import numpy as np

import lucidnet as ln
from lucidnet import nn
from lucidnet.autograd.ops.buffers import pooled_empty, release_buffers


def test_pooled_buffer_is_reused_only_when_unreferenced():
    release_buffers()
    a = pooled_empty((256, 1024), np.float32)
    a[...] = 1.0
    b = pooled_empty((256, 1024), np.float32)
    assert not np.shares_memory(a, b)
    view = a[::2]  # a view keeps the buffer alive even after `a` is gone
    del a
    c = pooled_empty((256, 1024), np.float32)
    assert not np.shares_memory(view, c)
    del view
    d = pooled_empty((256, 1024), np.float32)
    e = pooled_empty((256, 1024), np.float32)
    assert not np.shares_memory(d, e)


def test_layer_outputs_held_by_the_user_survive_later_steps():
    ln.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                          nn.MaxPool2d(2))
    rng = np.random.default_rng(0)
    x1 = ln.tensor(rng.standard_normal((32, 1, 28, 28)).astype(np.float32))
    kept = model(x1)
    snapshot = kept.data.copy()
    for _ in range(3):  # more forward and backward passes of the same shapes
        out = model(ln.tensor(rng.standard_normal((32, 1, 28, 28)).astype(np.float32)))
        out.sum().backward()
    np.testing.assert_array_equal(kept.data, snapshot)
