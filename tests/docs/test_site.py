"""The documentation site builds with ``mkdocs build --strict`` (warnings are errors) and its API
reference shows the docstrings; ``dir(lucidnet)`` and ``help(lucidnet)`` show the lazily loaded
names (``save``, ``load``, ``optim``, ...)."""

import html
import pydoc
import re
import subprocess
import sys
from pathlib import Path

import pytest

import lucidnet

ROOT = Path(__file__).resolve().parents[2]


def _text(path: Path) -> str:
    """The visible text of a built page (tags dropped, entities decoded, spaces squeezed)."""
    raw = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", html.unescape(raw))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings_handlers.python")
    pytest.importorskip("jupytext")
    pytest.importorskip("latex2mathml")
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    # every warning is an error, docstring-format remarks of griffe included
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stderr[-6000:]}"
    assert "WARNING" not in proc.stderr, proc.stderr[-6000:]
    return out


def test_site_has_every_page(site):
    for page in ("index.html", "ideas/index.html", "architecture/index.html",
                 "optimizers/index.html", "api/lucidnet/index.html", "api/nn/index.html",
                 "api/optim/index.html", "api/optim.lr_scheduler/index.html",
                 "api/metrics/index.html", "api/train/index.html", "api/io/index.html"):
        assert (site / page).is_file(), page
    tutorials = sorted((ROOT / "docs" / "tutorials").glob("[0-9][0-9]_*.py"))
    assert tutorials
    for source in tutorials:
        page = site / "tutorials" / source.stem / "index.html"
        assert page.is_file(), page
        assert (site / "tutorials" / source.name).is_file()   # the runnable source beside it


def test_api_reference_renders_the_docstrings(site):
    optim = _text(site / "api" / "optim" / "index.html")
    # Adam's formula and its arguments' table, from the docstring
    assert "m = β1 m + (1 - β1) g" in optim
    assert "amsgrad" in optim and "Parameters:" in optim
    nn = _text(site / "api" / "nn" / "index.html")
    assert "Fully connected layer" in nn and "in_features" in nn
    top = _text(site / "api" / "lucidnet" / "index.html")
    assert "manual_seed" in top and "save" in top
    autograd = _text(site / "api" / "autograd" / "index.html")
    assert "gradcheck" in autograd and "central differences" in autograd.lower()


def test_tutorial_pages_show_code_and_text(site):
    page = _text(site / "tutorials" / "01_tensors_backprop" / "index.html")
    assert ".backward()" in page and "gradcheck" in page


def test_tutorial_math_is_mathml_and_no_raw_latex_is_left(site):
    """$...$ formulas of the tutorials' text become MathML (no JavaScript, no CDN); code keeps
    its dollars."""
    for source in sorted((ROOT / "docs" / "tutorials").glob("[0-9][0-9]_*.py")):
        raw = (site / "tutorials" / source.stem / "index.html").read_text(encoding="utf-8")
        prose = re.sub(r"<(pre|code)\b.*?</\1>", " ", raw, flags=re.S)   # code blocks dropped
        assert "<math" in prose, f"{source.name}: no formula rendered"
        left = re.findall(r"\$[^$<>]{0,60}\\[a-zA-Z]+[^$<>]{0,60}\$", prose)
        assert not left, f"{source.name}: LaTeX left unrendered: {left[:3]}"


def test_math_hook_keeps_code_and_lone_dollars():
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        from hooks import math_to_mathml
    finally:
        sys.path.remove(str(ROOT / "docs"))
    pytest.importorskip("latex2mathml")
    out = math_to_mathml("a $x^2$ b `$y$` costs $5 and $10.\n\n$$\\frac{a}{b}$$\n"
                         "```python\nlabel = \"$z$\"\n```\nwrapped $\\eta\n+ 1$ end")
    assert out.count('<span class="math"><math') == 2 and 'display="block"' in out
    assert "`$y$`" in out and "costs $5 and $10." in out and 'label = "$z$"' in out
    with pytest.raises(ValueError, match="cannot convert the formula"):
        math_to_mathml(r"bad $\left( a$ formula")


def test_dir_lists_the_lazy_names():
    names = dir(lucidnet)
    for name in ("save", "load", "ModelFileError", "optim", "data", "train", "metrics",
                 "Tensor", "tensor", "nn", "manual_seed"):
        assert name in names, name
    assert names == sorted(names)
    for name in lucidnet._LAZY_NAMES:                       # every listed name resolves
        assert getattr(lucidnet, name) is getattr(lucidnet.io, name)


def test_dir_imports_nothing_heavy():
    code = ("import sys, lucidnet; dir(lucidnet); "
            "print(sorted(m for m in ('matplotlib', 'sklearn', 'torch', 'numba', 'starlette', "
            "'lucidnet.io', 'lucidnet.optim') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120).stdout.strip()
    assert out == "[]"


def test_help_shows_save_and_load():
    text = pydoc.render_doc(lucidnet, renderer=pydoc.plaintext)
    assert re.search(r"^\s+save\(obj, f", text, flags=re.M)
    assert re.search(r"^\s+load\(", text, flags=re.M)
    assert "optim" in text


def test_unknown_attribute_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        lucidnet.not_a_name  # noqa: B018
