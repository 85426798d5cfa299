"""Issue 16: a float64 or integer input to a float32 layer is refused with a clear error naming
the layer and both dtypes (PyTorch refuses too); the Trainer and the estimators cast for you."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn
from lucidnet.train import Trainer

LAYERS = [  # (layer, input shape, name in the message)
    (lambda: nn.Linear(3, 2), (4, 3), r"Linear\(in_features=3, out_features=2\)"),
    (lambda: nn.Conv1d(2, 3, 3), (2, 2, 6), r"Conv1d\(2, 3, kernel_size=\(3,\)"),
    (lambda: nn.Conv2d(2, 3, 3), (2, 2, 5, 5), r"Conv2d\(2, 3, kernel_size=\(3, 3\)"),
    (lambda: nn.BatchNorm1d(3), (4, 3), r"BatchNorm1d\(3"),
    (lambda: nn.BatchNorm2d(2, affine=False), (3, 2, 4, 4), r"BatchNorm2d\(2"),
    (lambda: nn.LayerNorm(3), (4, 3), r"LayerNorm\(\(3,\)"),
    (lambda: nn.GroupNorm(1, 2), (3, 2, 4), r"GroupNorm\(1, 2"),
    (lambda: nn.InstanceNorm1d(2, affine=True), (3, 2, 4), r"InstanceNorm1d\(2\)"),
]


@pytest.mark.parametrize("make,shape,name", LAYERS)
@pytest.mark.parametrize("dtype", [np.float64, np.int64])
def test_input_of_another_dtype_is_refused_naming_layer_and_dtypes(make, shape, name, dtype):
    layer = make()
    with pytest.raises(TypeError, match=name + rf".* got {np.dtype(dtype)} input but its "
                                        r"parameters are float32; cast the input with x\.float\(\)"):
        layer(ln.tensor(np.ones(shape, dtype=dtype)))
    assert layer(ln.tensor(np.ones(shape, dtype=np.float32))).dtype == np.float32
    assert layer.double()(ln.tensor(np.ones(shape))).dtype == np.float64


def test_functional_forms_check_the_dtype_too():
    w = nn.Parameter(np.ones((2, 3), dtype=np.float32))
    with pytest.raises(TypeError, match=r"got float64 input but its parameters are float32.*"
                                        r"model\.double\(\)"):
        nn.functional.linear(ln.tensor(np.ones((1, 3))), w)
    conv_w = nn.Parameter(np.ones((2, 1, 3, 3), dtype=np.float32))
    with pytest.raises(TypeError, match="conv2d.*got float64 input"):
        nn.functional.conv2d(ln.tensor(np.ones((1, 1, 4, 4))), conv_w)


def test_trainer_and_estimator_cast_inputs_to_the_model_dtype():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))  # float64, as NumPy makes it
    y = (X[:, 0] > 0).astype(np.int64)
    ln.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
    trainer = Trainer(model, "cross_entropy", ln.optim.SGD(model.parameters(), lr=0.1),
                      verbose=0)
    trainer.fit(X, y, epochs=2, batch_size=8)
    assert trainer.predict(X).shape == (40,)
    assert trainer.predict((X > 0).astype(np.int64)).shape == (40,)  # integer features too
    from lucidnet.sklearn import NeuralNetClassifier

    clf = NeuralNetClassifier(hidden_layer_sizes=(4,), epochs=2, random_state=0).fit(X, y)
    assert clf.predict(X.astype(np.float32)).shape == (40,)
