"""MkDocs hooks of the lucidnet site (``hooks:`` in mkdocs.yml; no plugin needed).

* The tutorials are jupytext percent-format sources (``docs/tutorials/NN_name.py``); each becomes a
  page ``tutorials/NN_name.md`` at build time (markdown cells as text, code cells as code blocks).
  The sources are copied beside the pages, so every page links its runnable ``.py``.
* Docstring *format* remarks of griffe (a parameter the signature lacks, a line it cannot parse)
  are collected and listed at the end of the build instead of failing ``--strict``: docstrings are
  written by many hands and such a remark should not hide the site. Set
  ``LUCIDNET_DOCS_STRICT_DOCSTRINGS=1`` to make them errors like every other warning.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from mkdocs.structure.files import File

_TUTORIAL = re.compile(r"^tutorials/(\d\d_[a-z0-9_]+)\.py$")
# griffe's docstring-format remarks start with "path/file.py:LINE: "
_DOCSTRING_REMARK = re.compile(r"^(griffe: )?\S+\.py:\d+: ")

_log = logging.getLogger("mkdocs.hooks.lucidnet")
_remarks: list[str] = []


class _DocstringRemarks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and _DOCSTRING_REMARK.match(record.getMessage()):
            _remarks.append(record.getMessage())
            return False
        return True


_filter = _DocstringRemarks()


def on_config(config):
    _remarks.clear()
    griffe_logger = logging.getLogger("mkdocs.plugins.griffe")
    griffe_logger.removeFilter(_filter)
    if os.environ.get("LUCIDNET_DOCS_STRICT_DOCSTRINGS") != "1":
        griffe_logger.addFilter(_filter)
    return config


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


def on_post_build(config):
    if _remarks:
        _log.info("%d docstring format remarks (LUCIDNET_DOCS_STRICT_DOCSTRINGS=1 makes them "
                  "errors):\n  %s", len(_remarks), "\n  ".join(sorted(set(_remarks))))
