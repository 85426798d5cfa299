"""Train a small CNN on the 8x8 digits, save it with ``ln.save``, load it back and predict.

The digits are scikit-learn's bundled set (1797 grey 8x8 images, no download). The network is
``Conv2d -> ReLU -> MaxPool2d -> Conv2d -> ReLU -> MaxPool2d -> Flatten -> Linear``, trained by
the `Trainer` with Adam and cross-entropy. The trained model is written to one file (architecture
and weights, never pickled), read back with ``ln.load`` into a fresh model, and that model
predicts the test digits. Run::

    python examples/cnn_digits.py [--epochs 15] [--out model.npz]

It prints the final training loss, the file written, the test accuracy of the trained model and
of the loaded one, and whether the two predict the same classes (they must: same weights).
"""

import argparse
import os
import tempfile

import numpy as np

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.train import Trainer


def build_cnn() -> nn.Sequential:
    """Two conv blocks (8 and 16 channels, 3x3, padding 1): 8x8 -> 4x4 -> 2x2, then 10 logits."""
    return nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 2 * 2, 10))


def predict_classes(model: nn.Module, images: np.ndarray) -> np.ndarray:
    """The class of highest logit for each image (evaluation mode, no graph recorded)."""
    model.eval()
    with ln.no_grad():
        return model(ln.tensor(images)).numpy().argmax(axis=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="where to save the model (default: a temporary folder)")
    args = parser.parse_args()

    digits = ln.data.load_dataset("digits")
    images = digits.images() / 16.0                  # (N, 1, 8, 8), pixels 0..16 -> 0..1
    X_train, X_test, y_train, y_test = ln.data.train_test_split(
        images, digits.y, test_size=0.25, random_state=args.seed, stratify=digits.y)
    print(f"train {len(X_train)}, test {len(X_test)} images of shape {X_train.shape[1:]}")

    ln.manual_seed(args.seed)
    model = build_cnn()
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-2),
                      metrics=["accuracy"], verbose=0)
    history = trainer.fit(X_train, y_train, epochs=args.epochs, batch_size=32, seed=args.seed)
    print(f"{sum(p.numel() for p in model.parameters())} parameters, "
          f"final training loss {history.history['loss'][-1]:.4f}")
    trained = predict_classes(model, X_test)
    print(f"test accuracy (trained model): {np.mean(trained == y_test):.3f}")

    with tempfile.TemporaryDirectory() as folder:
        path = args.out or os.path.join(folder, "cnn_digits.npz")
        ln.save(model, path)
        print(f"saved to {path} ({os.path.getsize(path)} bytes)"
              + ("" if args.out else ", a temporary folder removed at exit"))
        loaded = ln.load(path)
    print("loaded:", type(loaded).__name__, "with", len(loaded), "layers")
    again = predict_classes(loaded, X_test)
    print(f"test accuracy (loaded model): {np.mean(again == y_test):.3f}")
    print(f"same predictions: {bool(np.array_equal(trained, again))}")
    print("first ten test digits:", y_test[:10].tolist(), "predicted:", again[:10].tolist())


if __name__ == "__main__":
    main()
