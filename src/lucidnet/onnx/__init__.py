"""ONNX export of lucidnet models (the optional extra ``pip install "lucidnet[onnx]"``).

- ``export(model, example_input, path)``: any model built of the supported layers
  (``supported()`` lists them), walked through its ``Sequential`` containers;
- ``export_run(run, out)``: a model written by ``lucidnet train``, its input preprocessing
  (imputation, one-hot encoding of text columns, the scaler, the reshape to images) inside the
  graph, with ``output``, ``probabilities`` and ``label`` outputs;
- ``register(ModuleClass)(fn)``: the converter of a layer of your own.

``onnx`` (and ``onnxruntime``, for running the files) are imported only when used.
"""

from __future__ import annotations

from .export import export
from .graph import DEFAULT_OPSET, MIN_OPSET, ExportError, GraphBuilder
from .registry import register, supported
from .run import export_run

__all__ = ["export", "export_run", "register", "supported", "ExportError", "GraphBuilder",
           "DEFAULT_OPSET", "MIN_OPSET"]
