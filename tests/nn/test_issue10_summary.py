"""Issue 10, part 3: `Module.summary` / `lucidnet.nn.summary`, the Keras / torchinfo style
table (rows, output shapes, parameter counts, totals, and that it leaves the model as it was)."""

import doctest

import numpy as np
import pytest

import lucidnet as ln
import lucidnet.nn.model_summary as summary_module
from lucidnet import nn
from lucidnet.nn.model_summary import LayerSummary, ModelSummary, summary


def _mlp(lib=ln):
    return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 2))


class Net(nn.Module):
    """Nested: a Sequential, a ModuleDict of heads (two outputs), a ModuleList, a frozen layer."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(),
                                      nn.Dropout(0.5))
        self.heads = nn.ModuleDict({"a": nn.Linear(4 * 6 * 6, 3), "b": nn.Linear(4 * 6 * 6, 2)})
        self.blocks = nn.ModuleList([nn.Identity(), nn.Identity()])
        self.unused = nn.Linear(2, 2)
        self.features[0].requires_grad_(False)

    def forward(self, x):
        h = self.features(x).flatten(1)
        for block in self.blocks:
            h = block(h)
        return self.heads["a"](h), self.heads["b"](h)


def _row(result, name):
    return next(r for r in result.rows if r.name == name)


def test_sequential_rows_shapes_counts_and_table():
    model = _mlp()
    result = model.summary((16, 4))
    assert isinstance(result, ModelSummary) and all(isinstance(r, LayerSummary)
                                                   for r in result.rows)
    assert [(r.name, r.type_name, r.depth) for r in result.rows] == [
        ("", "Sequential", 0), ("0", "Linear", 1), ("1", "ReLU", 1), ("2", "Linear", 1)]
    assert [r.output_shape for r in result.rows] == ["[16, 2]", "[16, 8]", "[16, 8]", "[16, 2]"]
    assert [r.num_params for r in result.rows] == [0, 40, 0, 18]
    assert [r.trainable for r in result.rows] == ["--", "True", "--", "True"]
    assert (result.total_params, result.trainable_params, result.non_trainable_params) == \
        (58, 58, 0)
    assert result.param_bytes == 58 * 4 and result.input_bytes == 16 * 4 * 4
    assert result.output_bytes == 4 * 16 * (8 + 8 + 2)  # the leaves' outputs
    text = str(result)
    assert text == repr(result)
    lines = text.split("\n")
    assert lines[0] == "Model: Sequential" and set(lines[1]) == {"="}
    assert lines[2].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#", "Trainable"]
    assert lines[5].split() == ["0", "(Linear)", "[16,", "8]", "40", "True"]
    assert lines[5].startswith("  0 (Linear)")  # children indented under the model
    assert "Total params: 58 (232.00 B)" in lines and "Non-trainable params: 0 (0.00 B)" in lines
    assert "Input size: 256.00 B" in lines and "Layer outputs size: 1.12 KB" in lines
    assert len({len(line) for line in lines if set(line) == {"="}}) == 1


def test_method_and_function_give_the_same_table():
    model = _mlp()
    expected = str(model.summary((3, 4)))
    assert str(summary(model, (3, 4))) == expected
    assert str(nn.summary(model, (3, 4))) == expected  # lucidnet.nn.summary(model, size)
    assert str(ln.nn.summary(model, input_data=ln.zeros(3, 4))) == expected
    assert nn.summary is summary_module.summary


def test_counts_and_output_shapes_match_torch():
    torch = pytest.importorskip("torch")
    ours = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3 * 4 * 4, 5))
    ref = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3, padding=1), torch.nn.BatchNorm2d(3),
                              torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                              torch.nn.Linear(3 * 4 * 4, 5))
    ours[1].requires_grad_(False)
    ref[1].requires_grad_(False)
    shapes = {}

    def record(name):
        def hook(module, args, output):
            shapes[name] = tuple(output.shape)  # returns None: the output stays

        return hook

    for name, m in ref.named_modules():
        m.register_forward_hook(record(name))
    ref.eval()(torch.ones(2, 2, 8, 8))
    result = ours.summary((2, 2, 8, 8))
    for row in result.rows:
        assert row.output_shapes == [shapes[row.name]]
        own = sum(p.numel() for p in ref.get_submodule(row.name).parameters(recurse=False))
        assert row.num_params == own
    assert result.total_params == sum(p.numel() for p in ref.parameters())
    assert result.trainable_params == sum(p.numel() for p in ref.parameters() if p.requires_grad)
    assert result.buffer_count == len(list(ref.buffers()))
    assert _row(result, "1").trainable == "False"


def test_nested_module_containers_tuple_output_and_depth():
    model = Net()
    result = model.summary((2, 1, 8, 8))
    names = [r.name for r in result.rows]
    assert names == [n for n, _ in model.named_modules()]
    assert _row(result, "").output_shape == "([2, 3], [2, 2])"
    assert _row(result, "heads").output_shape == "--"  # a container that is not called
    assert _row(result, "unused").output_shape == "--"
    assert _row(result, "heads.a").output_shape == "[2, 3]"
    assert _row(result, "blocks.1").output_shape == "[2, 144]"
    assert _row(result, "features.0").trainable == "False"
    assert result.non_trainable_params == 4 * 9 + 4
    assert "    a (Linear)" in str(result)  # depth 2: four spaces
    cut = model.summary((2, 1, 8, 8), depth=1)
    assert [r.name for r in cut.rows] == ["", "features", "heads", "blocks", "unused"]
    assert _row(cut, "features").num_params == 40 + 8 and _row(cut, "features").trainable == \
        "Partial"
    assert _row(cut, "heads").num_params == 435 + 290
    assert cut.total_params == result.total_params
    alone = model.summary(depth=0)
    assert len(alone.rows) == 1 and alone.rows[0].num_params == result.total_params
    with pytest.raises(ValueError, match="depth"):
        model.summary(depth=-1)


def test_without_input_lists_parameters_only_and_runs_nothing():
    class Refuses(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(3, 3)

        def forward(self, x):
            raise AssertionError("summary() without an input must not call forward")

    result = Refuses().summary()
    assert [r.output_shape for r in result.rows] == ["?", "?"]
    assert result.input_shapes is None and result.total_params == 12
    assert "Input size" not in str(result)


def test_model_is_left_as_it_was_even_when_forward_raises():
    model = Net()
    model.features[1].eval()  # mixed modes must come back as they were
    modes = [m.training for m in model.modules()]
    running = model.features[1].running_mean.copy()
    calls = []
    model.features.register_forward_hook(lambda m, a, o: calls.append(1))  # a user's hook
    rng = ln.get_rng_state()
    before = ln.rand(3).data
    ln.set_rng_state(rng)
    model.summary((2, 1, 8, 8))
    assert np.array_equal(ln.rand(3).data, before)  # no random number drawn (eval: no dropout)
    assert [m.training for m in model.modules()] == modes
    np.testing.assert_array_equal(model.features[1].running_mean, running)
    assert calls == [1]  # the user's hook ran, and stays
    assert all("_hooks" not in m.__dict__ for m in model.modules() if m is not model.features)
    assert len(model.features._hooks["forward"]) == 1
    with pytest.raises(ValueError) as err:
        model.summary((2, 1, 5, 5, 5))  # a wrong input shape: the conv refuses it
    assert any("during summary" in note for note in getattr(err.value, "__notes__", []))
    assert [m.training for m in model.modules()] == modes
    assert len(model.features._hooks["forward"]) == 1
    assert all("_hooks" not in m.__dict__ for m in model.modules() if m is not model.features)
    x = ln.ones(2, 1, 8, 8)
    model(x)  # the hooks of the summary are gone: one more call of the user's hook only
    assert calls == [1, 1]


def test_inputs_several_shapes_examples_dtypes_and_kwargs():
    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(10, 3)
            self.lin = nn.Linear(3, 2)

        def forward(self, tokens, x, scale=1.0):
            return {"emb": self.emb(tokens), "out": self.lin(x) * scale, "none": None}

    model = Two()
    result = model.summary([(2, 5), (2, 3)], dtypes=[ln.int64, None], scale=2.0)
    assert result.input_shapes == [(2, 5), (2, 3)]
    assert _row(result, "emb").output_shape == "[2, 5, 3]"
    assert _row(result, "").output_shape == "{emb: [2, 5, 3], out: [2, 2], none: None}"
    example = model.summary((ln.tensor(np.zeros((1, 4), np.int64)), np.ones((1, 3), np.float32)))
    assert _row(example, "lin").output_shapes == [(1, 2)]
    with pytest.raises(ValueError, match="one dtype per shape"):
        model.summary([(2, 5), (2, 3)], dtypes=[ln.int64])


def test_float64_model_calls_twice_zero_batch_and_no_parameters():
    model = _mlp().double()
    result = model.summary((0, 4))  # an empty batch still gives the shapes
    assert result.input_shapes == [(0, 4)] and _row(result, "2").output_shape == "[0, 2]"
    assert result.param_bytes == 58 * 8
    shared = nn.Linear(3, 3)
    twice = nn.Sequential(shared, nn.Tanh(), shared)  # one module, two calls, one row
    rows = twice.summary((1, 3)).rows
    assert [r.name for r in rows] == ["", "0", "1"]
    assert rows[1].output_shape == "[1, 3] (2 calls)"
    assert twice.summary().total_params == 12  # counted once
    empty = nn.Sequential(nn.ReLU(), nn.Tanh()).summary((2, 2))
    assert empty.total_params == 0 and all(r.trainable == "--" for r in empty.rows)
    assert "Total params: 0 (0.00 B)" in str(empty)
    bare = nn.Module().summary()
    assert bare.rows[0].type_name == "Module" and bare.total_params == 0


@pytest.mark.parametrize("bad, error, match", [
    ("x", TypeError, "input_size must be a shape"),
    ((2, -1), ValueError, "negative dimension"),
    ([(2, 3), "y"], TypeError, "input_size must be a shape"),
    ((2.5, 3), TypeError, "input_size must be a shape"),
])
def test_bad_inputs_are_clear_errors(bad, error, match):
    with pytest.raises(error, match=match):
        _mlp().summary(bad)


def test_other_misuse_is_a_clear_error():
    with pytest.raises(TypeError, match="expects an nn.Module"):
        summary(object(), (2, 3))
    with pytest.raises(TypeError, match="not both"):
        _mlp().summary((2, 4), input_data=ln.ones(2, 4))


def test_module_docstring_example_runs():
    failures, tried = doctest.testmod(summary_module, extraglobs={"nn": nn, "ln": ln, "np": np},
                                      optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert tried > 0 and failures == 0
