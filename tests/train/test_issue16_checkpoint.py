"""Issue 16, checkpoints: a checkpoint missing entries or damaged anywhere raises ModelFileError
(a ValueError naming the file and what is wrong), never KeyError / TypeError / zlib errors; a
non-finite model is not checkpointed silently."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.io import ModelFileError, load_state, save_state
from lucidnet.train import Trainer, load_checkpoint, read_checkpoint, save_checkpoint


def _trainer(seed=0):
    ln.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return Trainer(model, "cross_entropy", opt, verbose=0)


def _fitted_checkpoint(path):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((16, 2)).astype(np.float32), rng.integers(0, 2, 16)
    trainer = _trainer()
    trainer.fit(X, y, epochs=2, batch_size=8)
    return save_checkpoint(path, trainer, extra={"note": "x"}), trainer


def _rewrite(path, change):
    state = load_state(path)
    change(state)
    save_state(path, state)


@pytest.mark.parametrize("change, missing", [
    (lambda s: s["trainer"].pop("epoch"), "trainer.epoch"),
    (lambda s: s["trainer"].pop("optimizer"), "trainer.optimizer"),
    (lambda s: s["trainer"].pop("history"), "trainer.history"),
    (lambda s: s.pop("trainer"), "trainer"),
    (lambda s: s.pop("state_dict"), "state_dict"),
    (lambda s: s.pop("callbacks"), "callbacks"),
])
def test_checkpoint_missing_an_entry_names_it(tmp_path, change, missing):
    path, _ = _fitted_checkpoint(tmp_path / "c.npz")
    _rewrite(path, change)
    with pytest.raises(ModelFileError, match=rf"c\.npz.*missing '{missing}'"):
        load_checkpoint(path, _trainer())


@pytest.mark.parametrize("change", [
    lambda s: s["trainer"].update(epoch="two"),
    lambda s: s["trainer"].update(history=[1]),
    lambda s: s["trainer"]["history"]["history"].update(loss="x"),
    lambda s: s["trainer"]["history"]["history"].update(loss=[1.0]),
    lambda s: s["trainer"]["history"].pop("epoch"),
    lambda s: s["trainer"]["optimizer"].update(state=5),
    lambda s: s["trainer"]["optimizer"].pop("param_groups"),
    lambda s: s["trainer"]["optimizer"]["param_groups"][0].update(lr="fast"),
    lambda s: s["trainer"].update(shuffle_rng={"bit_generator": "nope"}),
    lambda s: s["trainer"].update(global_rng=[1, 2]),
    lambda s: s.update(callbacks=[1]),
    lambda s: s["state_dict"].update({"0.weight": np.zeros((9, 9), np.float32)}),
    lambda s: s["state_dict"].update({"0.weight": "text"}),
])
def test_checkpoint_entries_that_do_not_fit_are_model_file_errors(tmp_path, change):
    path, _ = _fitted_checkpoint(tmp_path / "c.npz")
    _rewrite(path, change)
    with pytest.raises(ModelFileError, match=r"c\.npz"):
        load_checkpoint(path, _trainer())


def test_flipped_bytes_and_truncated_checkpoints(tmp_path):
    path, trainer = _fitted_checkpoint(tmp_path / "c.npz")
    raw = open(path, "rb").read()
    bad = tmp_path / "bad.npz"
    rng = np.random.default_rng(2)
    cases = [bytes(raw[:n]) for n in range(0, len(raw), max(1, len(raw) // 40))]
    for i in rng.choice(len(raw), size=150, replace=False):
        damaged = bytearray(raw)
        damaged[i] ^= 1 << int(rng.integers(8))
        cases.append(bytes(damaged))
    errors = 0
    for data in cases:
        bad.write_bytes(data)
        resumed = _trainer(seed=5)
        try:
            load_checkpoint(bad, resumed)
        except ModelFileError as err:
            assert "bad.npz" in str(err)
            errors += 1
            continue
        assert resumed.epoch == trainer.epoch
        for a, b in zip(resumed.model.parameters(), trainer.model.parameters()):
            np.testing.assert_array_equal(a.data, b.data)
    assert errors > 0


def test_model_file_is_not_a_checkpoint_and_missing_file(tmp_path):
    path = ln.save(nn.Linear(2, 2), tmp_path / "m.npz")
    with pytest.raises(ModelFileError, match="not a training checkpoint.*lucidnet.load"):
        read_checkpoint(path)
    with pytest.raises(FileNotFoundError, match="none.npz"):
        read_checkpoint(tmp_path / "none.npz")


def test_non_finite_model_is_not_checkpointed_silently(tmp_path):
    trainer = _trainer()
    trainer.model[2].bias.data[:] = np.inf
    with pytest.raises(ValueError, match=r"'2\.bias' holds 2 non-finite.*allow_nonfinite"):
        save_checkpoint(tmp_path / "c.npz", trainer)
    save_checkpoint(tmp_path / "c.npz", trainer, allow_nonfinite=True)
    assert np.isinf(read_checkpoint(tmp_path / "c.npz")["state_dict"]["2.bias"]).all()


@pytest.mark.parametrize("change", [
    lambda s: s["trainer"]["optimizer"].update(optimizer=[]),
    lambda s: s["trainer"].update(shuffle_rng={"bit_generator": "PCG64",
                                               "state": {"state": -1, "inc": 1},
                                               "has_uint32": 0, "uinteger": 0}),
])
def test_optimizer_name_and_generator_state_that_do_not_fit(tmp_path, change):
    path, _ = _fitted_checkpoint(tmp_path / "c.npz")
    _rewrite(path, change)
    with pytest.raises(ModelFileError, match=r"c\.npz"):
        load_checkpoint(path, _trainer())
