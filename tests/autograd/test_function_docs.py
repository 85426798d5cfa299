"""The lambda parts of an op (``f``, ``df``...) get the formula of their class as docstring."""

import numpy as np

from lucidnet.autograd.function import Function


def test_lambda_parts_get_the_formula_without_the_examples():
    class Twice(Function):
        """z = 2 a;  dz/da = 2.

        Examples
        --------
        >>> 1 + 1
        2
        """
        f = staticmethod(lambda a: 2 * a)
        df = staticmethod(lambda a, z: np.full_like(a, 2.0))

    assert Twice.f.__doc__ == ("The elementwise function y = f(x), as stated for Twice: "
                               "z = 2 a;  dz/da = 2.")
    assert Twice.df.__doc__.endswith("as stated for Twice: z = 2 a;  dz/da = 2.")
    assert ">>>" not in Twice.f.__doc__ and ">>>" not in Twice.df.__doc__
    assert "Examples" in Twice.__doc__


def test_a_part_with_its_own_docstring_keeps_it():
    def square(a):
        """mine"""
        return a * a

    class Square(Function):
        """z = a^2."""
        f = staticmethod(square)

    assert Square.f.__doc__ == "mine"
