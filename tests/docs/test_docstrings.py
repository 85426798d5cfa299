"""Every public name has a docstring (the API reference is generated from them)."""

import pytest

from ._public import import_or_none, public_modules, undocumented


@pytest.mark.parametrize("name", public_modules())
def test_every_public_name_has_a_docstring(name):
    module = import_or_none(name)
    if module is None:
        pytest.skip(f"{name} needs an optional package that is not installed")
    assert module.__doc__, f"module {name} has no docstring"
    missing = undocumented(module)
    assert not missing, f"{name}: {len(missing)} public names without a docstring: {missing}"
