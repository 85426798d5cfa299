"""Run a PyTorch tutorial program under PyTorch and under lucidnet, and compare what they print.

How a program is run
--------------------
Each program in ``tests/compat/programs/`` is the tutorial's code as published (only its data
loading is replaced by a local stand-in, see ``programs/standins.py``, and its length is cut; every
such edit is marked ``# compat:``). :func:`run_program` runs it in a fresh Python process, twice:

* ``framework="torch"``: the file as it is;
* ``framework="lucidnet"``: the same file with its import lines rewritten by
  :func:`rewrite_imports` (``import torch`` -> ``import lucidnet as torch``,
  ``import torch.nn.functional as F`` -> ``import lucidnet.nn.functional as F``,
  ``from torch.utils.data import X`` -> ``from lucidnet.utils.data import X``, ...).
  Nothing else in the program changes, and every line keeps its number, so a traceback
  points at the tutorial's own line.

Same initial weights and data order
-----------------------------------
The two frameworks draw random numbers from different generators, so the harness runs a prelude
(:func:`install`, below) in both processes before the program. It uses only the public PyTorch API
that lucidnet mirrors (no lucidnet internals), and replaces every source of randomness by one NumPy
generator (``numpy.random.default_rng(0)``), drawn in the same order in both runs:

* ``nn.Linear``, ``nn.Conv1d/2d/3d``, ``nn.ConvTranspose1d/2d``: after the layer's own
  ``__init__`` (whose own random draws go to a throw-away generator, so that they do not shift
  the shared one), its ``weight`` and ``bias`` are overwritten (``with no_grad(): p.copy_(from_numpy(...))``) by PyTorch's default
  distribution, uniform in ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``, in construction order.
  ``nn.Embedding`` gets N(0, 1).
* ``torch.rand/randn/randint/randperm/normal`` and ``rand_like/randn_like``, and the in-place
  ``Tensor.normal_/uniform_``: NumPy draws, turned into the framework's tensor with
  ``torch.tensor(array, dtype=..., requires_grad=...)``.
* ``nn.init.normal_/uniform_/xavier_uniform_/xavier_normal_/kaiming_uniform_/kaiming_normal_``:
  the same NumPy draws, with PyTorch's fan and gain formulas (``calculate_gain`` is the
  framework's own).
* Shuffling: ``utils.data.RandomSampler.__iter__`` yields a NumPy permutation.
* Dropout: ``F.dropout`` and ``nn.Dropout.forward`` (``Dropout2d``: one draw per channel) use a
  NumPy keep-mask, ``input * (mask / (1 - p))``. These two replace the framework's own dropout in
  training mode: a mask can only be shared by computing it outside both frameworks (lucidnet's
  dropout itself is tested in tests/nn/test_dropout.py).
* Python's ``random`` and NumPy's global generator are seeded with 0.

This is more robust than copying PyTorch's initial ``state_dict`` into the lucidnet run: it needs
no second channel between the processes and covers weights made by ``torch.randn`` in user code
(``nn.Parameter(torch.randn(()))``), not only those of layers.

How outputs are compared
------------------------
:func:`compare_outputs` splits each printed text into lines, where a whole tensor repr
``tensor(...)`` counts as one word however the framework wraps its rows. Line by line, every
number (``2.3026``, ``-1e-05``, ``nan``, the entries of a tensor) must agree within ``rtol``
relative, ``atol`` absolute, or one unit of its last printed digit (a value printed with 4
decimals may differ by 1e-4 through rounding); integers (counts, class indices, sizes) must be
equal. The words must be equal too (object addresses ``0x7f...``, a dtype's module prefix,
``torch.float32`` / ``float32``, and a class's module path, ``<class '...Parameter'>``, aside),
except on lines that show a size, a dtype or a graph node (``Size(``, ``dtype``, ``Backward``), which the frameworks
spell differently (``torch.Size([3])``, ``<AddBackward0 object at ...>``). A tensor repr's
wording (``grad_fn=<AddmmBackward0>``) is not compared, its numbers are.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PROGRAMS = Path(__file__).resolve().parent / "programs"

# (pattern, replacement) for one import line; applied by rewrite_imports to whole lines only.
# A trailing comment is kept. The lucidnet run cannot import torch at all (_BLOCK_TORCH), so an
# import these rules miss fails loudly instead of running the program on PyTorch.
_COMMENT = r"(\s*#.*)?\s*$"
_IMPORT_RULES = [
    (re.compile(r"^(\s*)import torch" + _COMMENT), r"\1import lucidnet as torch\2"),
    (re.compile(r"^(\s*)import torch\.([\w.]+) as (\w+)" + _COMMENT),
     r"\1import lucidnet.\2 as \3\4"),
    (re.compile(r"^(\s*)import torch\.([\w.]+)" + _COMMENT),
     r"\1import lucidnet as torch; import lucidnet.\2\3"),
    (re.compile(r"^(\s*)from torch import (.+)$"), r"\1from lucidnet import \2"),
    (re.compile(r"^(\s*)from torch\.([\w.]+) import (.+)$"), r"\1from lucidnet.\2 import \3"),
]


def rewrite_imports(source: str) -> str:
    """Point a program's ``torch`` imports at lucidnet; nothing else changes.

    Every line keeps its position, so tracebacks refer to the tutorial's own line numbers.
    """
    out = []
    for line in source.splitlines():
        for pattern, repl in _IMPORT_RULES:
            if pattern.match(line):
                line = pattern.sub(repl, line)
                break
        out.append(line)
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- the prelude (runs in the child)

def install(framework: str, seed: int = 0) -> None:
    """Route every random draw of ``framework`` (``"torch"`` or ``"lucidnet"``) through one NumPy
    generator, so that both runs start from the same weights and see the same data order."""
    import importlib
    import random

    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    shared = np.random.default_rng(seed)
    scratch = np.random.default_rng(seed + 1)
    suspended = [0]  # > 0 while a layer's own __init__ runs: its draws are thrown away

    class _Rng:
        """The shared generator, except inside a layer's own initialisation (which the
        framework may do with its own patched factories; those draws must not shift the
        shared sequence)."""

        def __getattr__(self, name):
            return getattr(scratch if suspended[0] else shared, name)

    rng = _Rng()
    torch = importlib.import_module(framework)
    nn = importlib.import_module(framework + ".nn")
    F = importlib.import_module(framework + ".nn.functional")

    def as_numpy(x):
        return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)

    def make(arr, dtype=None, requires_grad=False, default_float=True):
        if dtype is None and default_float:
            dtype = torch.get_default_dtype()
        out = torch.tensor(arr, dtype=dtype) if dtype is not None else torch.tensor(arr)
        if requires_grad:
            out.requires_grad_(True)
        return out

    def size_of(size):
        if len(size) == 1 and not isinstance(size[0], int):
            return tuple(int(s) for s in size[0])
        return tuple(int(s) for s in size)

    def rand(*args, size=None, dtype=None, requires_grad=False, generator=None, out=None,
             device=None, **_):
        shape = size_of(args) if size is None else size_of((size,))
        return make(rng.random(shape), dtype, requires_grad)

    def randn(*args, size=None, dtype=None, requires_grad=False, generator=None, out=None,
              device=None, **_):
        shape = size_of(args) if size is None else size_of((size,))
        return make(rng.standard_normal(shape), dtype, requires_grad)

    def randint(*args, size=None, dtype=None, requires_grad=False, generator=None, device=None,
                **_):
        if size is None:
            *args, size = args
        low, high = (0, args[0]) if len(args) == 1 else args
        arr = rng.integers(low, high, size=tuple(size))
        return make(arr, dtype if dtype is not None else torch.int64, requires_grad)

    def randperm(n, *, dtype=None, generator=None, device=None, requires_grad=False, **_):
        return make(rng.permutation(int(n)), dtype if dtype is not None else torch.int64,
                    requires_grad)

    def normal(mean=0.0, std=1.0, size=None, *, dtype=None, requires_grad=False,
               generator=None, out=None, device=None, **_):
        shape = None if size is None else size_of((size,))
        if shape is None:
            shape = np.broadcast(as_numpy(mean), as_numpy(std)).shape
        tensors = [x for x in (mean, std) if hasattr(x, "dtype") and hasattr(x, "detach")]
        if dtype is None and tensors:
            dtype = tensors[0].dtype
        arr = rng.normal(as_numpy(mean), as_numpy(std), size=shape)
        return make(arr, dtype, requires_grad)

    def rand_like(x, *, dtype=None, requires_grad=False, **_):
        return make(rng.random(tuple(x.shape)), dtype or x.dtype, requires_grad)

    def randn_like(x, *, dtype=None, requires_grad=False, **_):
        return make(rng.standard_normal(tuple(x.shape)), dtype or x.dtype, requires_grad)

    for name, fn in [("rand", rand), ("randn", randn), ("randint", randint),
                     ("randperm", randperm), ("normal", normal), ("rand_like", rand_like),
                     ("randn_like", randn_like)]:
        setattr(torch, name, fn)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        arr = rng.normal(mean, std, size=tuple(self.shape))
        return self.copy_(torch.tensor(arr, dtype=self.dtype))

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        arr = rng.uniform(a, b, size=tuple(self.shape))
        return self.copy_(torch.tensor(arr, dtype=self.dtype))

    torch.Tensor.normal_ = normal_
    torch.Tensor.uniform_ = uniform_

    def reinit_layer(cls, fill):
        original = cls.__init__

        def __init__(self, *args, **kwargs):
            suspended[0] += 1
            try:
                original(self, *args, **kwargs)
            finally:
                suspended[0] -= 1
            if not suspended[0]:
                fill(self)

        cls.__init__ = __init__

    def fill_uniform_fan_in(layer):
        weight = layer.weight
        fan_in = math.prod(tuple(weight.shape)[1:])
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        with torch.no_grad():
            for p in (layer.weight, getattr(layer, "bias", None)):
                if p is not None:
                    arr = rng.uniform(-bound, bound, size=tuple(p.shape))
                    p.copy_(torch.tensor(arr, dtype=p.dtype))

    def fill_normal(layer):
        with torch.no_grad():
            arr = rng.standard_normal(tuple(layer.weight.shape))
            layer.weight.copy_(torch.tensor(arr, dtype=layer.weight.dtype))

    init = nn.init

    def fans(t):
        shape = tuple(t.shape)
        receptive = math.prod(shape[2:]) if len(shape) > 2 else 1
        fan_in = shape[1] * receptive if len(shape) > 1 else shape[0]
        return fan_in, shape[0] * receptive

    def fill_from(t, arr):
        with torch.no_grad():
            t.copy_(torch.tensor(arr, dtype=t.dtype))
        return t

    def gain_of(nonlinearity, param=None):
        return init.calculate_gain(nonlinearity, param)

    def init_normal_(t, mean=0.0, std=1.0, generator=None):
        return fill_from(t, rng.normal(mean, std, tuple(t.shape)))

    def init_uniform_(t, a=0.0, b=1.0, generator=None):
        return fill_from(t, rng.uniform(a, b, tuple(t.shape)))

    def xavier_uniform_(t, gain=1.0, generator=None):
        fan_in, fan_out = fans(t)
        bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
        return init_uniform_(t, -bound, bound)

    def xavier_normal_(t, gain=1.0, generator=None):
        fan_in, fan_out = fans(t)
        return init_normal_(t, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))

    def kaiming_std(t, a, mode, nonlinearity):
        fan = fans(t)[0 if mode == "fan_in" else 1]
        return gain_of(nonlinearity, a) / math.sqrt(fan)

    def kaiming_uniform_(t, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
        bound = math.sqrt(3.0) * kaiming_std(t, a, mode, nonlinearity)
        return init_uniform_(t, -bound, bound)

    def kaiming_normal_(t, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
        return init_normal_(t, 0.0, kaiming_std(t, a, mode, nonlinearity))

    for name, fn in [("normal_", init_normal_), ("uniform_", init_uniform_),
                     ("xavier_uniform_", xavier_uniform_), ("xavier_normal_", xavier_normal_),
                     ("kaiming_uniform_", kaiming_uniform_),
                     ("kaiming_normal_", kaiming_normal_)]:
        setattr(init, name, fn)

    for name in ("Linear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
                 "Bilinear"):
        if hasattr(nn, name):
            reinit_layer(getattr(nn, name), fill_uniform_fan_in)
    if hasattr(nn, "Embedding"):
        reinit_layer(nn.Embedding, fill_normal)

    def dropout_mask(x, p, per_channel):
        shape = tuple(x.shape)
        if per_channel:
            shape = shape[:2] + (1,) * (len(shape) - 2)
        keep = (rng.random(shape) >= p) / (1.0 - p)
        return torch.tensor(keep, dtype=x.dtype)

    def dropout(input, p=0.5, training=True, inplace=False):
        if not training or p == 0:
            return input
        return input * dropout_mask(input, p, per_channel=False)

    def dropout2d(input, p=0.5, training=True, inplace=False):
        if not training or p == 0:
            return input
        return input * dropout_mask(input, p, per_channel=True)

    F.dropout = dropout
    F.dropout2d = dropout2d
    if hasattr(nn, "Dropout"):
        nn.Dropout.forward = lambda self, x: dropout(x, self.p, self.training)
    if hasattr(nn, "Dropout2d"):
        nn.Dropout2d.forward = lambda self, x: dropout2d(x, self.p, self.training)

    try:
        data = importlib.import_module(framework + ".utils.data")
    except ImportError:
        return  # the program fails on its own import if it needs utils.data
    if hasattr(data, "RandomSampler"):
        def sampler_iter(self):
            yield from rng.permutation(len(self.data_source)).tolist()

        data.RandomSampler.__iter__ = sampler_iter


_RUNNER = """\
import os, runpy, sys
sys.path.insert(0, {programs!r})
sys.path.insert(0, {here!r})
{block}
import compat_harness
compat_harness.install({framework!r})
sys.argv = [{path!r}]
runpy.run_path({path!r}, run_name="__main__")
"""


# the lucidnet child refuses `import torch` (a missed import rewrite must not run on PyTorch)
_BLOCK_TORCH = """\
class _NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError(f"the lucidnet run of a compat program imported {name!r}")
sys.meta_path.insert(0, _NoTorch())
"""


@dataclass
class Run:
    framework: str
    returncode: int
    stdout: str
    stderr: str


def start_program(name: str, framework: str, workdir: Path) -> subprocess.Popen:
    """Start ``programs/<name>`` under ``framework`` in a child process with ``workdir`` as its
    current folder (the lucidnet run gets the import-rewritten copy); `finish` waits for it."""
    source = (PROGRAMS / name).read_text()
    if framework == "lucidnet":
        source = rewrite_imports(source)
    folder = workdir / framework
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(source)
    code = _RUNNER.format(programs=str(PROGRAMS), here=str(Path(__file__).resolve().parent),
                          framework=framework, path=str(path),
                          block=_BLOCK_TORCH if framework == "lucidnet" else "")
    env = dict(os.environ, COMPAT_FRAMEWORK=framework, OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1", PYTHONHASHSEED="0")
    return subprocess.Popen([sys.executable, "-c", code], cwd=folder, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, framework: str, timeout: float = 300) -> Run:
    """Wait for a `start_program` child (killed after ``timeout`` seconds) and collect its output."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        err += f"\n(killed after {timeout} s)"
    return Run(framework, proc.returncode, out, err)


def run_program(name: str, framework: str, workdir: Path, timeout: float = 300) -> Run:
    """Run ``programs/<name>`` under ``framework`` to its end (see `start_program`)."""
    return finish(start_program(name, framework, workdir), framework, timeout)


def run_both(name: str, workdir: Path, timeout: float = 300) -> tuple[Run, Run]:
    """The PyTorch and the lucidnet run of ``programs/<name>``, side by side (one process each,
    one thread each: on two cores they take the time of one)."""
    started = [(start_program(name, fw, workdir), fw) for fw in ("torch", "lucidnet")]
    reference, ours = (finish(proc, fw, timeout) for proc, fw in started)
    return reference, ours


# ---------------------------------------------------------------- comparing two outputs

_NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:nan|inf|(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)(?![\w])")
# lines whose words may differ: the frameworks spell sizes, dtypes and graph nodes apart
_LENIENT = ("Size(", "dtype", "Backward")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
# a class by its name: <class 'torch.nn.parameter.Parameter'> / <class 'lucidnet...Parameter'>
_CLASS_PATH = re.compile(r"<class '(?:[\w]+\.)*(\w+)'>")
# a dtype's module prefix (torch.float32 / lucidnet.float32 / float32): the same dtype
_DTYPE_PREFIX = re.compile(r"\b(?:torch|lucidnet)\.(?=(?:float|int|uint|bool|complex|bfloat|half|"
                           r"double|long|short)\w*\b)")


def _unit(token: str) -> float:
    """One unit of the last printed digit of ``token`` (0 for an integer)."""
    mantissa, _, exponent = token.lower().partition("e")
    if "." not in mantissa:
        return 0.0
    decimals = len(mantissa.split(".")[1])
    return 10.0 ** (-decimals + (int(exponent) if exponent else 0)) if decimals else 0.0


def _close(a: str, b: str, rtol: float, atol: float) -> bool:
    x, y = float(a), float(b)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if math.isinf(x) or math.isinf(y):
        return x == y
    if not any(c in t for t in (a, b) for c in ".eE"):
        return x == y  # integers (counts, class indices, sizes) agree exactly
    bound = max(rtol * max(abs(x), abs(y)), atol, _unit(a), _unit(b))
    return abs(x - y) <= bound * (1 + 1e-9)


def _records(text: str) -> list[tuple[str, list[str]]]:
    """The printed text as (words, numbers) per line, where a whole tensor repr
    ``tensor(...)`` (however its lines wrap) counts as the word ``<tensor>`` plus its numbers."""
    out, numbers, words, i = [], [], [], 0
    while i < len(text):
        j = text.find("tensor(", i)
        stop = len(text) if j < 0 else j
        for k, piece in enumerate(text[i:stop].split("\n")):
            if k > 0:
                out.append(("".join(words), numbers))
                numbers, words = [], []
            numbers += _NUMBER.findall(piece)
            piece = _CLASS_PATH.sub(r"<class '\1'>", _ADDRESS.sub("0x#", piece))
            words.append(_NUMBER.sub("#", _DTYPE_PREFIX.sub("", piece)).rstrip())
        if j < 0:
            break
        depth, end = 0, j + len("tensor")
        while end < len(text):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
            if depth == 0:
                break
        numbers += _NUMBER.findall(text[j:end])
        words.append("<tensor>")
        i = end
    out.append(("".join(words), numbers))
    return [(w.strip(), n) for w, n in out if w.strip() or n]


def compare_outputs(expected: str, got: str, rtol: float = 1e-4,
                    atol: float = 1e-7) -> list[str]:
    """Differences between PyTorch's printed text ``expected`` and lucidnet's ``got``; an
    empty list when they agree (see the module docstring for the rules)."""
    problems = []
    want, have = _records(expected), _records(got)
    if len(want) != len(have):
        problems.append(f"PyTorch printed {len(want)} lines, lucidnet {len(have)}")
    for i, ((we, ne), (wg, ng)) in enumerate(zip(want, have)):
        line = f"line {i + 1}:\n  torch:    {we} {ne[:8]}\n  lucidnet: {wg} {ng[:8]}"
        if len(ne) != len(ng):
            problems.append(f"{line}\n  ({len(ne)} numbers against {len(ng)})")
            continue
        bad = [(a, b) for a, b in zip(ne, ng) if not _close(a, b, rtol, atol)]
        if bad:
            problems.append(f"{line}\n  numbers differ (torch, lucidnet): {bad[:5]}")
        elif we != wg and not any(m in we for m in _LENIENT):
            problems.append(f"{line}\n  the words differ")
    return problems
