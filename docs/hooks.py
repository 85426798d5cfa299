"""MkDocs hooks of the lucidnet site (``hooks:`` in mkdocs.yml; no plugin needed).

* The tutorials are jupytext percent-format sources (``docs/tutorials/NN_name.py``); each becomes a
  page ``tutorials/NN_name.md`` at build time (markdown cells as text, code cells as code blocks).
  The sources are copied beside the pages, so every page links its runnable ``.py``.
* LaTeX math in the pages (``$...$`` inline, ``$$...$$`` display; the tutorials' markdown cells)
  becomes MathML at build time (latex2mathml, pure Python), which browsers render natively: the
  site needs no JavaScript and no CDN. Code blocks and inline code are left alone.
* Docstring *format* remarks of griffe (a parameter the signature lacks, a line it cannot parse)
  are warnings like any other: ``mkdocs build --strict`` (tests/docs/test_site.py) fails on them.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.structure.files import File

_TUTORIAL = re.compile(r"^tutorials/(\d\d_[a-z0-9_]+)\.py$")
_CODE = re.compile(r"(^```.*?^```[ \t]*$|`[^`\n]+`)", re.S | re.M)
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
# one line, or wrapped over lines of one paragraph (never across a blank line)
_INLINE_MATH = re.compile(r"(?<![\\$\w])\$(?=\S)((?:[^$\n]|\n(?!\s*\n))+?)(?<=\S)\$(?![\w$])")


def math_to_mathml(markdown: str) -> str:
    """Replace ``$$...$$`` and ``$...$`` outside code by MathML (display and inline).

    A formula latex2mathml cannot convert is an error naming it (the build fails, as for any
    broken page); a ``$`` that opens no formula (``costs $5``) is left as it is."""
    from latex2mathml.converter import convert

    def render(match, display):
        latex = " ".join(match.group(1).split())
        try:
            return convert(latex, display=display)
        except Exception as err:  # latex2mathml raises several types
            raise ValueError(f"docs: cannot convert the formula ${latex}$ to MathML: "
                             f"{err}") from None

    parts = _CODE.split(markdown)
    for i in range(0, len(parts), 2):          # even parts are text, odd parts are code
        text = _DISPLAY_MATH.sub(lambda m: "\n\n" + render(m, "block") + "\n\n", parts[i])
        # in a span: Python-Markdown takes a line that starts with <math> for an HTML block
        parts[i] = _INLINE_MATH.sub(
            lambda m: '<span class="math">' + render(m, "inline") + "</span>", text)
    return "".join(parts)


def on_page_markdown(markdown, page, config, files):
    return math_to_mathml(markdown)


def tutorial_markdown(source: str, name: str) -> str:
    """The page of one tutorial: its cells as markdown, then a link to the runnable source."""
    import jupytext

    notebook = jupytext.reads(source, fmt="py:percent")
    notebook.metadata.pop("jupytext", None)
    notebook.metadata.pop("kernelspec", None)
    text = jupytext.writes(notebook, fmt="md")
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)  # the YAML header, if any
    return (text.strip() + "\n\n---\n\nThe runnable source of this page: "
            f"[`{name}.py`]({name}.py) (open it with jupytext, or run it as a script; the figures "
            "appear when it runs).\n")


def on_files(files, config):
    for file in list(files):
        match = _TUTORIAL.match(file.src_uri)
        if match:
            name = match.group(1)
            source = Path(file.abs_src_path).read_text(encoding="utf-8")
            files.append(File.generated(config, f"tutorials/{name}.md",
                                        content=tutorial_markdown(source, name)))
    return files
