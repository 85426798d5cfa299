"""The examples in the docstrings run and print what they show (doctest, every public module)."""

import doctest

import numpy as np
import pytest

import lucidnet

from ._public import import_or_none, public_modules

_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize("name", public_modules())
def test_docstring_examples_run(name, tmp_path, monkeypatch):
    module = import_or_none(name)
    if module is None:
        pytest.skip(f"{name} needs an optional package that is not installed")
    monkeypatch.chdir(tmp_path)              # examples that write files write into tmp_path
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=_FLAGS)
    globs = {"np": np, "ln": lucidnet, "lucidnet": lucidnet}
    tests = [t for t in finder.find(module, name, globs=dict(globs))
             if t.examples and (t.filename or "").endswith(".py")]
    failures = []
    for test in tests:
        lucidnet.manual_seed(0)
        np.random.seed(0)
        test.globs.update(globs)
        result = runner.run(test, out=failures.append, clear_globs=True)
        del result
    assert not failures, "".join(failures)
