"""Train on your own CSV file: with the Python API, then with the ``lucidnet train --data`` command.

The script writes a small CSV (two numeric features, one categorical feature, a string label) into
a temporary folder -- replace it with your own file. Run::

    python examples/own_csv.py [--rows 400] [--epochs 40]

It prints the test accuracy of the API run, then the command line it runs and that run's accuracy
(read from the run folder's ``metrics.json``).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.train import Trainer


def write_csv(path: str, rows: int, seed: int = 0) -> None:
    """A table whose label depends on the features: 'good' when x1 + x2 > 0 (flipped for 'blue')."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=rows), rng.normal(size=rows)
    colour = rng.choice(["red", "blue"], size=rows)
    good = (x1 + x2 > 0) ^ (colour == "blue")
    with open(path, "w", encoding="utf-8") as f:
        f.write("x1,x2,colour,label\n")
        for a, b, c, g in zip(x1, x2, colour, good):
            f.write(f"{a:.4f},{b:.4f},{c},{'good' if g else 'bad'}\n")


def with_the_api(path: str, epochs: int) -> float:
    table = ln.data.read_table(path)                         # header, one array per column
    X = ln.data.TableEncoder().fit_transform(table, target="label")  # numbers, one-hot colours
    y, _, classes = ln.data.encode_target(table, "label")    # "bad"/"good" -> 0/1
    print(f"{len(y)} rows, {X.shape[1]} encoded features, classes {classes}")
    X_train, X_test, y_train, y_test = ln.data.train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y)
    scaler = ln.data.StandardScaler().fit(X_train)
    ln.manual_seed(0)
    model = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Linear(32, int(y.max()) + 1))
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-2),
                      metrics=["accuracy"])
    trainer.fit(scaler.transform(X_train), y_train, epochs=epochs, batch_size=32, seed=0)
    return trainer.evaluate(scaler.transform(X_test), y_test)["accuracy"]


def with_the_cli(path: str, out: str, epochs: int) -> float:
    command = [sys.executable, "-m", "lucidnet", "train", "--data", path, "--target", "label",
               "--epochs", str(epochs), "--lr", "0.01", "--quiet", "--out", out]
    print("$", " ".join(command[2:]))
    subprocess.run(command, check=True)
    with open(os.path.join(out, "metrics.json"), encoding="utf-8") as f:
        return json.load(f)["test"]["accuracy"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400)
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "my.csv")
        write_csv(path, args.rows)
        print(f"API test accuracy: {with_the_api(path, args.epochs):.3f}")
        accuracy = with_the_cli(path, os.path.join(folder, "run"), args.epochs)
        print(f"CLI test accuracy: {accuracy:.3f}")


if __name__ == "__main__":
    main()
