"""MLP and CNN builders (SPEC B4-B6, B2) and the accuracy they reach on real data."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.models import CNN, MLP


def fit_classifier(model, X, y, epochs, lr, batch_size=64, seed=0):
    """Adam with a cosine learning-rate decay, mini-batches, cross-entropy.

    BLAS runs single-threaded here: these small products gain nothing from a second thread,
    and on shared cores each threaded call can stall for a whole scheduler slice (measured:
    3 s instead of 22 s for the digits test on a busy 2-core machine)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _fit(model, X, y, epochs, lr, batch_size, seed)


def _fit(model, X, y, epochs, lr, batch_size, seed):
    ln.manual_seed(seed)
    opt = optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(seed)
    steps, step = epochs * -(-len(X) // batch_size), 0
    model.train()
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            if len(idx) < 2:  # BatchNorm needs more than one sample
                continue
            for group in opt.param_groups:
                group["lr"] = lr * 0.5 * (1 + np.cos(np.pi * step / steps))
            step += 1
            opt.zero_grad()
            loss_fn(model(ln.tensor(X[idx])), y[idx]).backward()
            opt.step()
    model.eval()
    return model


def accuracy(model, X, y):
    with ln.no_grad():
        return float((model(ln.tensor(X)).data.argmax(axis=1) == y).mean())


def test_mlp_structure_outputs_and_init():
    model = MLP(4, hidden=(8, 6), out_features=3, activation="tanh", output="softmax",
                dropout=0.1, batch_norm=True, init="he_normal")
    names = [type(m).__name__ for m in model]
    assert names == ["Linear", "BatchNorm1d", "Tanh", "Dropout", "Linear", "BatchNorm1d", "Tanh",
                     "Dropout", "Linear", "Softmax"]
    out = model.eval()(ln.tensor(np.ones((5, 4), dtype=np.float32)))
    np.testing.assert_allclose(out.data.sum(axis=1), 1, rtol=1e-6)
    assert np.all(model[0].bias.data == 0)
    assert MLP(3, 5, 1, output="sigmoid")[-1].__class__ is nn.Sigmoid
    assert isinstance(MLP(3, (), 2)[-1], nn.Linear) and len(MLP(3, (), 2)) == 1
    with pytest.raises(ValueError, match="unknown activation 'swishy'"):
        MLP(3, activation="swishy")
    with pytest.raises(ValueError, match="unknown initializer 'magic'"):
        MLP(3, init="magic")
    with pytest.raises(ValueError, match="output must be one of"):
        MLP(3, output="tanh")


def test_mlp_solves_xor():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([0, 1, 1, 0])
    model = fit_classifier(MLP(2, (8,), 2, activation="tanh"), X, y, epochs=300, lr=0.05,
                           batch_size=4)
    assert accuracy(model, X, y) == 1.0


def test_cnn_shapes_2d_and_1d_and_errors():
    model = CNN(3, (16, 12), 5, channels=(4, 8), batch_norm=True, dropout=0.2, hidden=16)
    assert [type(m).__name__ for m in model][:4] == ["Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d"]
    assert model[0].bias is None  # BN follows: the conv bias would be redundant
    assert model(ln.tensor(np.zeros((2, 3, 16, 12), dtype=np.float32))).shape == (2, 5)
    signal = CNN(1, 40, 10, channels=(8, 8, 8), kernel_size=5)
    assert isinstance(signal[0], nn.Conv1d) and signal[-1].in_features == 8 * 5
    assert signal(ln.tensor(np.zeros((3, 1, 40), dtype=np.float32))).shape == (3, 10)
    tiny = CNN(1, (2, 2), 3, channels=(4, 4, 4))  # stops pooling at 1x1 instead of failing
    assert tiny(ln.tensor(np.zeros((1, 1, 2, 2), dtype=np.float32))).shape == (1, 3)
    with pytest.raises(ValueError, match=r"image_size must be \(H, W\)"):
        CNN(1, (8, 8, 8), 10)
    with pytest.raises(ValueError, match="num_classes must be a positive integer, got 0"):
        CNN(1, (8, 8), 0)
    with pytest.raises(ValueError, match=r"layer 0 \(Conv2d\).*1 channels instead of 3"):
        model(ln.tensor(np.zeros((2, 1, 16, 12), dtype=np.float32)))


def _digits():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    return train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)


@pytest.mark.slow
def test_cnn_reaches_98_percent_on_sklearn_digits():
    """SPEC B6: CNN(1, (8, 8), 10, batch_norm=True) -- 16 and 32 channels -- 20 epochs of Adam."""
    X_train, X_test, y_train, y_test = _digits()
    ln.manual_seed(0)
    model = fit_classifier(CNN(1, (8, 8), 10, batch_norm=True), X_train, y_train, epochs=20,
                           lr=3e-3)
    assert accuracy(model, X_test, y_test) >= 0.98


def _mnist1d():
    from mnist1d.data import get_dataset_args, make_dataset

    data = make_dataset(get_dataset_args())  # generated offline and deterministically
    return (data["x"].astype(np.float32), data["y"], data["x_test"].astype(np.float32),
            data["y_test"])


@pytest.mark.slow
def test_cnn_and_mlp_on_mnist1d():
    """MNIST-1D, 4,000 train / 1,000 test (package defaults): CNN >= 94 %, MLP >= 68 %."""
    X_train, y_train, X_test, y_test = _mnist1d()
    assert X_train.shape == (4000, 40) and X_test.shape == (1000, 40)
    ln.manual_seed(0)
    cnn = fit_classifier(CNN(1, 40, 10, channels=(32, 32, 32), kernel_size=5, batch_norm=True),
                         X_train[:, None], y_train, epochs=10, lr=3e-3)
    assert accuracy(cnn, X_test[:, None], y_test) >= 0.94
    ln.manual_seed(0)
    mlp = fit_classifier(MLP(40, (256, 256, 256), 10, batch_norm=True, dropout=0.2), X_train,
                         y_train, epochs=30, lr=2e-3)
    assert accuracy(mlp, X_test, y_test) >= 0.68
