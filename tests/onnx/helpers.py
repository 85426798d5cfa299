"""Shared helpers of the ONNX tests: export, then compare onnxruntime with lucidnet."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import lucidnet.onnx as lo  # noqa: E402


def session(path):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def roundtrip(model, example, others, path, rtol=1e-5, atol=1e-6, **kwargs):
    """Export ``model`` on ``example``; onnxruntime on ``example`` and each of ``others`` (other
    batch sizes) must give lucidnet's evaluation-mode outputs. Returns the ModelProto."""
    proto = lo.export(model, example, path, **kwargs)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    sess = session(path)
    names = [i.name for i in sess.get_inputs()]
    model.eval()
    for x in (example, *others):
        xs = x if isinstance(x, tuple) else (x,)
        ref = model(*xs)
        ref = np.asarray(ref.data)
        (got,) = sess.run(None, dict(zip(names, xs)))
        assert got.shape == ref.shape
        assert got.dtype == ref.dtype
        np.testing.assert_allclose(got, ref, rtol=rtol, atol=atol)
    return proto


def randn(*shape, scale=1.0, seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32)
