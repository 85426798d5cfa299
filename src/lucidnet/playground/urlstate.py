"""The playground's state in the URL, in TensorFlow Playground's hash format.

``#activation=tanh&learningRate=0.03&regularization=L2&networkShape=4,2&dataset=xor&noise=0&...``:
`parse_hash` turns such a hash into a configuration dict (unknown keys are ignored, as TF
Playground ignores them, so its shared links open here; TF's ``*_hide`` keys and ``tutorial`` are
dropped), `format_hash` writes one (TF Playground's keys first, in its order, then lucidnet's).
A value that cannot be read (``learningRate=fast``) raises `engine.ConfigError` naming the key.

Examples
--------
>>> from lucidnet.playground.urlstate import format_hash, parse_hash
>>> c = parse_hash("#activation=relu&networkShape=4,2&dataset=xor&x=true&autoplay=1&foo=bar")
>>> c["activation"], c["networkShape"], c["autoplay"], "foo" in c
('relu', [4, 2], True, False)
>>> parse_hash(format_hash({"dataset": "spiral"}))["dataset"]
'spiral'
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from .engine import BOOL_KEYS, DEFAULTS, ConfigError, normalize_config

__all__ = ["TF_KEYS", "format_hash", "parse_hash"]

#: TensorFlow Playground's state keys, in the order its ``State.serialize`` writes them.
TF_KEYS = ["activation", "batchSize", "dataset", "regDataset", "learningRate",
           "regularizationRate", "noise", "networkShape", "seed", "showTestData", "discretize",
           "percTrainData", "x", "y", "xTimesY", "xSquared", "ySquared", "cosX", "sinX", "cosY",
           "sinY", "collectStats", "problem", "initZero", "hideText", "regularization"]
_NUMBER_KEYS = {"batchSize", "learningRate", "regularizationRate", "noise", "percTrainData",
                "dropout", "inputNoise", "scheduleSteps"}
_STRING_KEYS = {"activation", "dataset", "regDataset", "seed", "problem", "regularization",
                "optimizer", "schedule", "init", "preset"}


def _bool(key: str, text: str) -> bool:
    low = text.lower()
    if low in ("true", "1", "yes", "on"):
        return True
    if low in ("false", "0", "no", "off"):
        return False
    raise ConfigError(f"{key}={text!r} in the URL is not a boolean: write {key}=true or "
                      f"{key}=false")


def _number(key: str, text: str) -> float | int:
    try:
        v = float(text)
    except ValueError:
        raise ConfigError(f"{key}={text!r} in the URL is not a number: write e.g. "
                          f"{key}={DEFAULTS.get(key, 1)}") from None
    return int(v) if key in ("batchSize", "scheduleSteps") and v == int(v) else v


def parse_hash(text: str) -> dict:
    """A partial configuration from a URL hash (with or without the leading ``#``).

    Parameters
    ----------
    text : str
        ``key=value`` pairs joined by ``&``; values may be percent-encoded.

    Returns
    -------
    dict
        Only the keys present with a value (TF Playground ignores empty ones, except
        ``networkShape=`` which is no hidden layer). Unknown keys are ignored.

    Raises
    ------
    ConfigError
        A value of the wrong type or out of range (checked with `engine.normalize_config`).

    Examples
    --------
    >>> from lucidnet.playground.urlstate import parse_hash
    >>> parse_hash("networkShape=&learningRate=0.1&regularization=L1")
    {'learningRate': 0.1, 'networkShape': [], 'regularization': 'L1'}
    >>> parse_hash("learningRate=fast")
    Traceback (most recent call last):
    ...
    lucidnet.playground.engine.ConfigError: learningRate='fast' in the URL is not a number: write e.g. learningRate=0.03
    """
    if not isinstance(text, str):
        raise ConfigError(f"parse_hash expects the URL hash as a string, got "
                          f"{type(text).__name__}")
    body = text[1:] if text.startswith("#") else text
    out: dict = {}
    for pair in body.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        key, value = unquote(key), unquote(value).strip()
        if key not in DEFAULTS and key != "preset":
            continue  # TF Playground ignores what it does not know (also *_hide, tutorial)
        if key == "networkShape":
            try:
                out[key] = [int(v) for v in value.split(",") if v.strip()] if value else []
            except ValueError:
                raise ConfigError(f"networkShape={value!r} in the URL must be comma-separated "
                                  f"layer widths like networkShape=4,2") from None
            continue
        if value == "":
            continue
        if key in BOOL_KEYS:
            out[key] = _bool(key, value)
        elif key in _NUMBER_KEYS:
            out[key] = _number(key, value)
        else:
            out[key] = value
    normalize_config(out)  # every value checked now, with the key in the message
    return dict(sorted(out.items()))


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(int(v)) for v in value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def format_hash(config: dict) -> str:
    """The URL hash (without ``#``) of a configuration: every TF Playground key in its order
    (``regularization`` omitted when "none", as TF omits its null; ``dataset=csv`` omitted, since
    a link cannot carry the uploaded file), then lucidnet's keys that differ from their defaults
    (``autoplay=1`` when set).

    Examples
    --------
    >>> from lucidnet.playground.urlstate import format_hash
    >>> h = format_hash({"dataset": "xor", "networkShape": [4, 2], "optimizer": "adam"})
    >>> h.startswith("activation=tanh&batchSize=10&dataset=xor"), h.endswith("optimizer=adam")
    (True, True)
    """
    c = normalize_config(config)
    parts = []
    for key in TF_KEYS:
        if key == "regularization" and c[key] == "none":
            continue
        if c[key] == "csv":  # a link cannot carry the uploaded file: the default dataset opens
            continue
        parts.append(f"{key}={quote(_text(c[key]), safe=',.-_')}")
    for key in DEFAULTS:
        if key in TF_KEYS or c[key] == DEFAULTS[key]:
            continue
        value = "1" if key == "autoplay" else quote(_text(c[key]), safe=",.-_")
        parts.append(f"{key}={value}")
    return "&".join(parts)
