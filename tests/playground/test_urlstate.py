"""TensorFlow Playground's URL hash <-> the playground's configuration."""

from __future__ import annotations

import pytest

from lucidnet.playground.engine import ConfigError, normalize_config
from lucidnet.playground.urlstate import TF_KEYS, format_hash, parse_hash

# a link as playground.tensorflow.org writes it (State.serialize, with _hide keys and tutorial)
TF_LINK = ("#activation=sigmoid&batchSize=10&dataset=gauss&regDataset=reg-plane&learningRate=0.03"
           "&regularizationRate=0&noise=0&networkShape=&seed=0.55534&showTestData=false"
           "&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false"
           "&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false"
           "&problem=classification&initZero=false&hideText=false&numHiddenLayers_hide=true"
           "&tutorial=dp-reducing-loss")


def test_a_tf_playground_link_parses():
    c = parse_hash(TF_LINK)
    assert c["activation"] == "sigmoid" and c["dataset"] == "gauss"
    assert c["networkShape"] == [] and c["seed"] == "0.55534" and c["batchSize"] == 10
    assert c["x"] is True and c["xTimesY"] is False and c["learningRate"] == 0.03
    assert "numHiddenLayers_hide" not in c and "tutorial" not in c
    full = normalize_config(c)
    assert full["networkShape"] == [] and full["problem"] == "classification"


def test_the_issues_example_link():
    c = parse_hash("#activation=tanh&learningRate=0.03&regularization=L2&networkShape=4,2"
                   "&dataset=xor&noise=0&batchSize=10&percTrainData=50&x=true&y=true"
                   "&xTimesY=true&autoplay=1")
    assert c == {"activation": "tanh", "autoplay": True, "batchSize": 10, "dataset": "xor",
                 "learningRate": 0.03, "networkShape": [4, 2], "noise": 0.0,
                 "percTrainData": 50.0, "regularization": "L2", "x": True, "xTimesY": True,
                 "y": True}


def test_round_trip():
    config = normalize_config({"dataset": "spiral", "networkShape": [8, 6, 2],
                               "activation": "relu", "learningRate": 0.003,
                               "regularization": "L1", "regularizationRate": 0.001,
                               "noise": 25, "percTrainData": 70, "batchSize": 3,
                               "seed": "0.12345", "sinX": True, "optimizer": "adam",
                               "schedule": "cosine", "init": "he", "batchNorm": True,
                               "dropout": 0.1, "inputNoise": 0.05, "autoplay": True})
    again = normalize_config(parse_hash(format_hash(config)))
    assert again == config
    # a second round trip gives the same text
    assert format_hash(again) == format_hash(config)


def test_format_writes_tf_keys_in_tf_order_first():
    h = format_hash({"regularization": "L2", "optimizer": "adam"})
    keys = [p.split("=")[0] for p in h.split("&")]
    assert keys[:len(TF_KEYS)] == TF_KEYS and keys[-1] == "optimizer"
    assert "regularization=" not in format_hash({})          # "none": omitted as TF omits null
    assert "autoplay" not in format_hash({}) and "autoplay=1" in format_hash({"autoplay": True})
    assert "networkShape=&" in format_hash({"networkShape": []})


def test_unknown_keys_and_empty_values_are_ignored():
    assert parse_hash("foo=1&bar&=3&learningRate=&x_hide=true") == {}
    assert parse_hash("") == {} and parse_hash("#") == {}


def test_percent_encoding():
    assert parse_hash("seed=a%20b&networkShape=4%2C2") == {"networkShape": [4, 2], "seed": "a b"}


@pytest.mark.parametrize("text, word", [
    ("learningRate=fast", "learningRate"), ("batchSize=0", "batchSize"),
    ("networkShape=4,x", "networkShape"), ("x=maybe", "x=true"),
    ("activation=swish", "activation"), ("noise=90", "noise"),
    ("x=false&y=false", "feature"), ("preset=nope", "nope"),
])
def test_bad_values_are_clear_errors(text, word):
    with pytest.raises(ConfigError, match=word):
        parse_hash(text)


def test_not_a_string():
    with pytest.raises(ConfigError, match="string"):
        parse_hash(None)


def test_an_uploaded_dataset_is_not_written_into_the_link():
    h = format_hash({"dataset": "csv", "problem": "classification"})
    assert "dataset=" not in h.replace("regDataset=", "")
    assert normalize_config(parse_hash(h))["dataset"] == "circle"
