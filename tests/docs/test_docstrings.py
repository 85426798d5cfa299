"""Every public name has a docstring (the API reference is generated from them), and every public
class and function an example that runs (tests/docs/test_doctests.py runs them)."""

import pytest

from ._public import import_or_none, public_modules, undocumented, without_example


@pytest.mark.parametrize("name", public_modules())
def test_every_public_name_has_a_docstring(name):
    module = import_or_none(name)
    if module is None:
        pytest.skip(f"{name} needs an optional package that is not installed")
    assert module.__doc__, f"module {name} has no docstring"
    missing = undocumented(module)
    assert not missing, f"{name}: {len(missing)} public names without a docstring: {missing}"


@pytest.mark.parametrize("name", public_modules())
def test_every_public_class_and_function_has_an_example(name):
    module = import_or_none(name)
    if module is None:
        pytest.skip(f"{name} needs an optional package that is not installed")
    missing = without_example(module)
    assert not missing, f"{name}: {len(missing)} public names without an Examples section: {missing}"
