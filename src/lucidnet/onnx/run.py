"""``export_run``: a model written by ``lucidnet train`` -> an ONNX file that takes raw rows.

The saved model is ``Sequential(Standardize(F), net)`` with the run's metadata (``task``,
``class_names``, ``feature_names``, ``image_shape``, ``config`` and, for a run on a table, the
``table`` encoder). The exported graph does the whole way from raw rows to predictions:

- no ``table`` metadata (bundled datasets: digits, ...; image folders): one input ``"input"``
  float32 [N, F] of raw features (an image run takes its flat C*H*W pixels, 0..255 for an image
  folder as ``lucidnet.data.load_image_folder`` gives them, and a CNN run reshapes them to the
  image shape inside the graph);
- a table of numeric columns only: ``"input"`` float32 [N, n_columns] in the table's column
  order, NaN for a missing value (replaced by the training fill when the run imputed; NaN
  flows through to the outputs otherwise, where ``lucidnet predict`` refuses the row);
- a table with text (categorical) columns: ``"numeric"`` float32 [N, n_numeric] (the numeric
  columns in column order; absent when there is none) and ``"categorical"`` string
  [N, n_categorical]; each text column is one-hot encoded inside the graph (opset >= 19), ""
  is a missing value (replaced by the training fill when the run imputed; otherwise it is
  encoded like an unknown category), and **an unknown category gives an all-zero one-hot
  block** (``lucidnet predict`` refuses both instead). The strings are matched exactly as
  the training file's cells were stored: stripped of surrounding spaces (as ``lucidnet
  predict`` strips every cell; the graph does not) and case-sensitive; a numeric column named
  in ``--categorical`` is in this input too, as its text (``"94110"``; a Parquet float 3.0 is
  ``"3"``). The ``input_columns`` metadata names the columns of each input.

Outputs: ``"output"`` (the network's raw output: logits or regression values), and for a
classification run ``"probabilities"`` (softmax over the classes) and ``"label"`` (int64
argmax, an index into the ``class_names`` metadata).
"""

from __future__ import annotations

import os

import numpy as np

from .. import io, nn
from .export import _check_float32, _check_opset, build_model, convert, eval_mode, write
from .graph import DEFAULT_OPSET, ExportError, GraphBuilder, require_onnx

__all__ = ["export_run", "load_run_model"]


def load_run_model(path):
    """(model, metadata, file) of a run folder (its model.npz) or a model file written by
    ``lucidnet train``; ExportError for anything else.

    Examples
    --------
    >>> import contextlib, io
    >>> from lucidnet.cli import build_parser
    >>> from lucidnet.runs import train_run
    >>> cfg = vars(build_parser().parse_args(["train", "--dataset", "and", "--hidden", "4",
    ...                                       "--epochs", "2", "--quiet", "--out", "run_load"]))
    >>> with contextlib.redirect_stdout(io.StringIO()):     # the report it prints
    ...     _ = train_run(cfg)
    >>> from lucidnet.onnx.run import load_run_model
    >>> model, meta, path = load_run_model("run_load")
    >>> type(model[0]).__name__, meta["task"], path
    ('Standardize', 'classification', 'run_load/model.npz')
    >>> load_run_model("no_such_run")
    Traceback (most recent call last):
    ...
    lucidnet.onnx.graph.ExportError: no such run folder or model file: 'no_such_run'
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        candidate = os.path.join(path, "model.npz")
        if not os.path.exists(candidate):
            raise ExportError(f"{path!r} holds no model.npz: give a run folder written by "
                              "'lucidnet train' (or its model.npz)")
        path = candidate
    elif not os.path.exists(path):
        raise ExportError(f"no such run folder or model file: {path!r}")
    try:
        model, meta = io.load(path, with_metadata=True)
    except Exception as err:  # noqa: BLE001 - any unreadable file gets the same clear message
        raise ExportError(f"{path!r} is not a readable lucidnet model file "
                          f"({type(err).__name__}: {err})") from None
    hint = ("export_run takes models written by 'lucidnet train'; export any other model with "
            "lucidnet.onnx.export(model, example_input, path)")
    if not isinstance(model, nn.Module) or not isinstance(meta, dict) or "task" not in meta:
        raise ExportError(f"{path!r} is not a model written by 'lucidnet train' (no task in its "
                          f"metadata); {hint}")
    if not (isinstance(model, nn.Sequential) and len(model) == 2
            and isinstance(model[0], nn.Standardize)):
        raise ExportError(f"{path!r}: the model is not Sequential(Standardize, network) as "
                          f"'lucidnet train' writes it since issue 16 (an older run: train it "
                          f"again); {hint}")
    return model, meta, path


def _check_table(table, n_features: int, path: str) -> list:
    columns = table.get("columns") if isinstance(table, dict) else None
    if not isinstance(columns, list) or not columns:
        raise ExportError(f"{path!r}: its 'table' metadata has no columns list")
    width = 0
    for c in columns:
        if not isinstance(c, dict) or c.get("kind") not in ("numeric", "categorical") or \
                not isinstance(c.get("name"), str):
            raise ExportError(f"{path!r}: a 'table' column must be a dict with a name and a kind "
                              f"'numeric' or 'categorical', got {c!r}")
        if c["kind"] == "categorical" and not c.get("categories"):
            raise ExportError(f"{path!r}: the categorical column {c['name']!r} has no "
                              "categories")
        width += 1 if c["kind"] == "numeric" else len(c["categories"])
    if width != n_features:
        raise ExportError(f"{path!r}: the 'table' columns encode to {width} values but the "
                          f"model's scaler takes {n_features}")
    return columns


def _encode_table(g, columns):
    """The graph inputs of a table run and the encoded (N, F) value, columns in order."""
    numeric = [c for c in columns if c["kind"] == "numeric"]
    text = [c for c in columns if c["kind"] == "categorical"]
    inputs = []
    nan = np.float32(np.nan)
    if numeric:
        name = "input" if not text else "numeric"
        example = np.array([[nan if c.get("fill") is None else c["fill"] for c in numeric]] * 2,
                           dtype=np.float32)
        inputs.append((name, name, example))
        x = name
        fills = np.array([nan if c.get("fill") is None else c["fill"] for c in numeric],
                         dtype=np.float32)
        if np.isfinite(fills).any():
            x = g.op("Where", g.op("IsNaN", x), g.const(fills[None, :]), x)
        if not text:
            return inputs, x
    if text:
        if g.opset < 19:
            raise ExportError(f"one-hot encoding of text columns needs opset 19 or newer (string "
                              f"Equal), got opset={g.opset}")
        example = np.array([[c["categories"][0] for c in text]] * 2, dtype=object)
        inputs.append(("categorical", "categorical", example))
    blocks, i_num, i_text = [], 0, 0
    for c in columns:
        if c["kind"] == "numeric":
            blocks.append(g.op("Slice", x, g.ints([i_num]), g.ints([i_num + 1]), g.ints([1])))
            i_num += 1
            continue
        s = g.op("Slice", "categorical", g.ints([i_text]), g.ints([i_text + 1]), g.ints([1]))
        i_text += 1
        if c.get("fill") is not None:
            missing = g.op("Equal", s, g.const(np.array("", dtype=object)))
            s = g.op("Where", missing, g.const(np.array(str(c["fill"]), dtype=object)), s)
        cats = g.const(np.array([[str(v) for v in c["categories"]]], dtype=object))
        blocks.append(g.op("Cast", g.op("Equal", s, cats), to=g.onnx.TensorProto.FLOAT))
    return inputs, (blocks[0] if len(blocks) == 1 else g.op("Concat", *blocks, axis=1))


def export_run(path, out, *, opset=None):
    """Export the model of a ``lucidnet train`` run with its preprocessing inside the graph.

    Parameters
    ----------
    path : str or os.PathLike
        A run folder (its ``model.npz``) or a model file written by ``lucidnet train``.
    out : str or os.PathLike
        The ``.onnx`` file to write (atomically).
    opset : int, optional
        Default 19 (one-hot encoding of text columns needs string Equal, opset >= 19).

    Returns
    -------
    onnx.ModelProto
        Inputs, outputs and metadata as the module docstring describes; ``metadata_props``
        hold ``lucidnet_version``, ``task``, ``class_names``, ``feature_names`` (the encoded
        features the scaler takes), ``input_columns`` (each input's column names in order),
        ``table`` (the encoder, for table runs), ``image_shape`` and ``config``.

    Raises
    ------
    ExportError
        A missing path, a file that is not a model written by ``lucidnet train``, a model with
        a layer the exporter does not know, or a bad opset / output path.

    Examples
    --------
    >>> import contextlib, io
    >>> from lucidnet.cli import build_parser
    >>> from lucidnet.runs import train_run
    >>> cfg = vars(build_parser().parse_args(["train", "--dataset", "and", "--hidden", "4",
    ...                                       "--epochs", "2", "--quiet", "--out", "run_onnx"]))
    >>> with contextlib.redirect_stdout(io.StringIO()):     # the report it prints
    ...     _ = train_run(cfg)
    >>> from lucidnet.onnx import export_run
    >>> proto = export_run("run_onnx", "and.onnx")      # standardization inside the graph
    >>> [i.name for i in proto.graph.input], [o.name for o in proto.graph.output]
    (['input'], ['output', 'probabilities', 'label'])
    """
    require_onnx()
    model, meta, file = load_run_model(path)
    opset = _check_opset(opset) if opset is not None else DEFAULT_OPSET
    _check_float32(model)
    scaler = model[0]
    n_features = scaler.num_features
    g = GraphBuilder(opset)
    table = meta.get("table")
    feature_names = list(meta.get("feature_names") or [])
    mean_row = np.asarray(scaler.mean, dtype=np.float32)[None, :].repeat(2, axis=0)
    if table is None:
        inputs = [("input", "input", mean_row)]
        encoded = "input"
        input_columns = {"input": feature_names}
    else:
        columns = _check_table(table, n_features, file)
        inputs, encoded = _encode_table(g, columns)
        input_columns = {
            name: [c["name"] for c in columns
                   if (c["kind"] == "categorical") == (name == "categorical")]
            for name, _, _ in inputs}
    example = mean_row
    image_shape = meta.get("image_shape")
    if (meta.get("config") or {}).get("model") == "cnn" and image_shape:
        shape = [int(s) for s in image_shape]
        encoded = g.reshape(encoded, [-1] + shape)
        example = example.reshape([2] + shape)
    g.record(encoded, example)
    with eval_mode(model):
        (output,), (out_value,) = convert(g, model, [encoded], [example])
    outputs = [("output", output, out_value)]
    classification = meta.get("task") == "classification"
    if classification:
        if out_value.ndim != 2:
            raise ExportError(f"{file!r}: a classification model should output (N, classes), "
                              f"got {out_value.shape}")
        proba = g.op("Softmax", output, axis=1)
        label = g.op("ArgMax", output, axis=1, keepdims=0)
        outputs += [("probabilities", proba, out_value),
                    ("label", label, np.zeros(len(out_value), dtype=np.int64))]
    metadata = {"task": meta.get("task"), "class_names": meta.get("class_names"),
                "feature_names": feature_names, "input_columns": input_columns,
                "image_shape": image_shape, "config": meta.get("config")}
    if table is not None:
        metadata["table"] = table
        metadata["unknown_category"] = "an unknown text value gives an all-zero one-hot block"
    proto = build_model(g, inputs, outputs, metadata=metadata)
    write(proto, out)
    return proto
