"""Export a playground run: a Python script that reproduces it with lucidnet, and the model.

`export_script` writes a self-contained script (NumPy + lucidnet only): the same data
generator with the same seed (its source is copied from `engine`), the same split, features,
network, initialization, optimizer, schedule and regularization, and the same mini-batches for
the same number of steps -- segment by segment when the learning rate, batch size or
regularization changed during the run. It prints ``train loss <v>`` and ``test loss <v>`` on its
last two lines, equal to the session's (the same operations in the same order, float64).
`model_bytes` is the trained network as a lucidnet ``.npz`` (``lucidnet.load`` reads it).

Examples
--------
>>> from lucidnet.playground.engine import PlaygroundSession
>>> from lucidnet.playground.export import export_script
>>> s = PlaygroundSession({"dataset": "xor"})
>>> _ = s.step(3)
>>> "train loss" in export_script(s)
True
"""

from __future__ import annotations

import inspect
import io
import json

from . import engine

__all__ = ["export_script", "model_bytes"]

_FEATURES_SOURCE = '''FEATURES = {
    "x": lambda a, b: a,
    "y": lambda a, b: b,
    "xSquared": lambda a, b: a * a,
    "ySquared": lambda a, b: b * b,
    "xTimesY": lambda a, b: a * b,
    "sinX": lambda a, b: np.sin(a),
    "sinY": lambda a, b: np.sin(b),
    "cosX": lambda a, b: np.cos(a),
    "cosY": lambda a, b: np.cos(b),
}'''


def _source(fn) -> str:
    return inspect.getsource(fn).rstrip() + "\n"


def _data_block(session) -> str:
    c = session.config
    if session.csv is not None:
        rows = session.csv["points"].tolist()
        body = ",\n".join("    [" + ", ".join(repr(float(v)) for v in r) + "]" for r in rows)
        return ("# the uploaded CSV's points [x1, x2, target] (features scaled onto [-5, 5])\n"
                f"POINTS = np.array([\n{body},\n])\n")
    name = c["dataset"] if c["problem"] == "classification" else c["regDataset"]
    gen = {**engine.CLASSIFY_DATASETS, **engine.REGRESS_DATASETS}[name]
    n = engine.NUM_SAMPLES[c["problem"]]
    return (f"# TensorFlow Playground's {name!r} data, {n} points, noise {c['noise']}%\n"
            + _source(gen) + "\n\n"
            + f"POINTS = {gen.__name__}(np.random.default_rng(seed_number(SEED_TEXT)), {n}, "
              f"{c['noise']!r} / 100)\n")


def export_script(session) -> str:
    """The Python script that reproduces ``session``'s run (see the module docstring).

    Parameters
    ----------
    session : engine.PlaygroundSession

    Returns
    -------
    str
        Python source; run it with the interpreter lucidnet is installed in.

    Examples
    --------
    >>> from lucidnet.playground.export import export_script
    >>> from lucidnet.playground.engine import PlaygroundSession
    >>> text = export_script(PlaygroundSession({"optimizer": "adam"}))
    >>> "get_optimizer('adam'" in text
    True
    """
    with session.lock:
        c = dict(session.config)
        segments = [dict(s) for s in session.segments]
        steps = session.steps
        init = "zeros" if c["initZero"] else c["init"]
        problem = session.problem
        data = _data_block(session)
    seg_text = json.dumps([{"steps": s["steps"], **s["config"]} for s in segments], indent=1)
    parts = [
        f'"""Reproduce a lucidnet playground run: {steps} training steps.\n\n'
        f"Configuration (the playground's URL keys):\n"
        f"{json.dumps(c, indent=1, sort_keys=True)}\n"
        f'"""\n',
        "import hashlib\nimport math\n\nimport numpy as np\n\nimport lucidnet\n"
        "from lucidnet import nn, optim\nfrom lucidnet.autograd.tensor import Tensor, no_grad\n"
        "from lucidnet.optim import lr_scheduler\nfrom lucidnet.random import Generator\n\n",
        "\nclass ConfigError(ValueError):\n    pass\n\n\n",
        f"INIT_NAMES = {engine.INIT_NAMES!r}\nSCHEDULE_NAMES = {engine.SCHEDULE_NAMES!r}\n",
        f"SEED_TEXT = {c['seed']!r}\nFEATURE_NAMES = "
        f"{[f for f in engine.FEATURES if c[f]]!r}\n",
        f"SEGMENTS = {seg_text}\n\n",
        _source(engine.seed_number), "\n\n",
        "SEED = seed_number(SEED_TEXT)\n\n\n",
        data, "\n\n",
        _source(engine.split_data), "\n\n",
        _FEATURES_SOURCE, "\n\n\n",
        _source(engine.feature_matrix), "\n\n",
        _source(engine.build_network), "\n\n",
        _source(engine.initialize_network).replace("from ..nn import init as I",
                                                   "from lucidnet.nn import init as I"), "\n\n",
        _source(engine.make_schedule), "\n\n",
        _source(engine.make_penalty).replace("from .. import regularization as R",
                                             "from lucidnet import regularization as R"), "\n\n",
        _source(engine.next_batch), "\n\n",
        _source(engine.compute_gradients), "\n\n",
        _source(engine.apply_update), "\n\n",
        "def mean_loss(model, X, y):\n"
        "    model.eval()\n"
        "    with no_grad(), np.errstate(all=\"ignore\"):\n"
        "        out = model(Tensor(X)).data\n"
        "        return float(np.mean(0.5 * (out - y) ** 2))\n\n\n",
        "def main():\n",
        f"    train, test = split_data(POINTS, {c['percTrainData']!r}, SEED_TEXT)\n",
        "    X_train, y_train = feature_matrix(train, FEATURE_NAMES), train[:, 2:3].copy()\n",
        "    X_test, y_test = feature_matrix(test, FEATURE_NAMES), test[:, 2:3].copy()\n",
        f"    model = build_network(len(FEATURE_NAMES), {c['networkShape']!r}, "
        f"{c['activation']!r}, {problem!r},\n"
        f"                          batch_norm={c['batchNorm']!r}, dropout={c['dropout']!r}, "
        f"input_noise={c['inputNoise']!r})\n",
        f"    initialize_network(model, {init!r}, {c['activation']!r}, SEED + 2)\n",
        "    model.train()\n",
        f"    optimizer = optim.get_optimizer({c['optimizer']!r}, model.parameters(), "
        f"lr=SEGMENTS[0]['learningRate'] if SEGMENTS else {c['learningRate']!r})\n",
        f"    schedule = make_schedule({c['schedule']!r}, optimizer, {c['scheduleSteps']!r})\n",
        "    batch_rng = np.random.default_rng((SEED + 3) % 2 ** 64)\n",
        "    lucidnet.manual_seed((SEED + 4) % 2 ** 64)  # dropout and input noise\n",
        "    order, cursor, steps = np.zeros(0, dtype=np.int64), 0, 0\n",
        "    for segment in SEGMENTS:\n",
        "        if schedule is None:\n",
        "            for group in optimizer.param_groups:\n",
        "                group['lr'] = segment['learningRate']\n",
        "        penalty = make_penalty(segment['regularization'], "
        "segment['regularizationRate'])\n",
        "        for _ in range(segment['steps']):\n",
        "            with np.errstate(all='ignore'):\n",
        "                order, cursor, idx = next_batch(batch_rng, len(X_train), order, cursor,\n",
        "                                                segment['batchSize'])\n",
        "                compute_gradients(model, optimizer, penalty, X_train[idx], "
        "y_train[idx])\n",
        f"                apply_update(optimizer, schedule, steps, {c['scheduleSteps']!r})\n",
        "            steps += 1\n",
        "            model.train()\n",
        f"    print(f'{{steps}} steps of {c['optimizer']} on {len(session.X_train)} training "
        f"points')\n",
        "    print(f'train loss {mean_loss(model, X_train, y_train)!r}')\n",
        "    print(f'test loss {mean_loss(model, X_test, y_test)!r}')\n",
        "    return model\n\n\n",
        "if __name__ == '__main__':\n    main()\n",
    ]
    return "".join(parts)


def model_bytes(session) -> bytes:
    """The session's network as lucidnet ``.npz`` bytes (``lucidnet.load(io.BytesIO(b))``),
    with the configuration and step count as metadata.

    Examples
    --------
    >>> from lucidnet.playground.export import model_bytes
    >>> import io, lucidnet
    >>> from lucidnet.playground.engine import PlaygroundSession
    >>> s = PlaygroundSession({"networkShape": [3]})
    >>> m = lucidnet.load(io.BytesIO(model_bytes(s)))
    >>> m[0].weight.shape
    torch.Size([3, 2])
    """
    from ..io import save

    buf = io.BytesIO()
    with session.lock:
        save(session.model, buf, metadata={"playground_config": session.config,
                                           "steps": session.steps,
                                           "features": session.features},
             allow_nonfinite=True)
    return buf.getvalue()
