"""The lab report: ``report.html`` (self-contained) and ``report.md`` (docs/ideas.md; issue 6).

``report.html`` embeds every figure as a base64 PNG (``<img src="data:image/png;base64,...">``),
carries its own CSS and loads nothing from outside. ``report.md`` links PNG files written next to
it in ``figures/``. Each claim gets: id and title, the notes' statement and seed row, the docs/ideas.md
row ids, the measured numbers, the figures, the verdict (a coloured badge) with its explanation, and
the run time. Failed experiments are reported with their traceback.
"""

from __future__ import annotations

import base64
import datetime
import html
import io
import os

from .._atomic import write_atomically
from .registry import RULE

__all__ = ["format_value", "write_report"]

_BADGE = {"holds": "#1a7f37", "partly holds": "#bc4c00", "does not hold": "#cf222e",
          "corrected": "#9a6700", "failed": "#57606a"}

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1040px;
margin:2rem auto;padding:0 1rem;color:#1f2328;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin:0 0 .4rem}
.meta{color:#57606a;font-size:.9rem}
section{border:1px solid #d0d7de;border-radius:8px;padding:1rem 1.2rem;margin:1.2rem 0}
blockquote{margin:.4rem 0;padding:.2rem .8rem;border-left:4px solid #d0d7de;color:#444}
table{border-collapse:collapse;font-size:.88rem;margin:.5rem 0}
td,th{border:1px solid #d0d7de;padding:.25rem .55rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}
.badge{display:inline-block;color:#fff;border-radius:1em;padding:.05rem .7rem;font-size:.85rem;
font-weight:600}
img{max-width:100%;height:auto;display:block;margin:.6rem 0;border:1px solid #eaeef2}
pre{background:#f6f8fa;padding:.6rem;overflow-x:auto;font-size:.8rem}
.small{color:#57606a;font-size:.85rem}
"""


def format_value(value) -> str:
    """A measured number as text: floats to 4 significant digits, lists joined, bools yes/no.

    Examples
    --------
    >>> from lucidnet.lab.report import format_value
    >>> format_value(2 / 3), format_value(True), format_value([1.0, 0.123456]), format_value(np.float32(0.5))
    ('0.6667', 'yes', '[1, 0.1235]', '0.5')
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:  # NumPy scalars
        return format_value(value.item())
    if hasattr(value, "tolist"):
        return format_value(value.tolist())
    return str(value)


def _md(text, table: bool = False) -> str:
    """``text`` escaped for Markdown: ``\\ * _ ` `` always (``mask*x`` must not turn italic), and
    ``|`` inside a table cell only (``\\|``; in running text ``|x|`` stays ``|x|``)."""
    out = str(text)
    for ch in ("\\", "*", "_", "`") + (("|",) if table else ()):
        out = out.replace(ch, "\\" + ch)
    return out


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return buf.getvalue()


def _badge(status: str) -> str:
    return (f'<span class="badge" style="background:{_BADGE.get(status, "#57606a")}">'
            f"{html.escape(status)}</span>")


def _html_section(run, pngs) -> str:
    c, e = run.claim, html.escape
    parts = [f'<section id="claim-{c.id}">',
             f"<h2>{c.id}. {e(c.title)} {_badge(run.status)}</h2>",
             f"<blockquote>{e(c.statement)}</blockquote>",
             (f'<p class="small">Notes: {e(c.seed_row)} &middot; ideas (docs/ideas.md) {e(", ".join(c.spec))} '
             f"&middot; seed {run.seed}, {e(run.size)} &middot; run time {run.seconds:.1f} s</p>")]
    if run.result is None:
        parts.append(f"<p><b>The experiment failed.</b></p><pre>{e(run.error or '')}</pre>")
    else:
        parts.append(f"<p><b>Verdict:</b> {_badge(run.status)} {e(run.result.explanation)}</p>")
        if run.result.numbers:
            rows = "".join(f"<tr><td>{e(str(k))}</td><td>{e(format_value(v))}</td></tr>"
                           for k, v in run.result.numbers.items())
            parts.append(f"<table><tr><th>measured</th><th>value</th></tr>{rows}</table>")
        for k, png in enumerate(pngs, 1):
            b64 = base64.b64encode(png).decode("ascii")
            parts.append(f'<img alt="claim {c.id} figure {k}" src="data:image/png;base64,{b64}">')
    parts.append("</section>")
    return "\n".join(parts)


def _md_section(run, figure_files) -> str:
    c = run.claim
    lines = [f"## {c.id}. {_md(c.title)}", "", f"> {_md(c.statement)}", "",
             (f"Notes: {_md(c.seed_row)} · ideas (docs/ideas.md) {', '.join(c.spec)} · seed {run.seed}, {run.size} · "
             f"run time {run.seconds:.1f} s"), ""]
    if run.result is None:
        lines += ["**Verdict: failed** (the experiment raised)", "", "```", run.error or "", "```", ""]
        return "\n".join(lines)
    lines += [f"**Verdict: {run.status}** — {_md(run.result.explanation)}", ""]
    if run.result.numbers:
        lines += ["| measured | value |", "|---|---|"]
        for k, v in run.result.numbers.items():
            lines.append(f"| {_md(k, table=True)} | {_md(format_value(v), table=True)} |")
        lines.append("")
    for k, name in enumerate(figure_files, 1):
        lines += [f"![claim {c.id} figure {k}](figures/{name})", ""]
    return "\n".join(lines)


def write_report(results, out_dir) -> dict:
    """Write ``report.html`` and ``report.md`` (+ ``figures/*.png``) for a list of `ClaimRun`.

    Returns ``{"html": path, "md": path, "figures": [paths]}``. Files are written atomically.

    Examples
    --------
    >>> from lucidnet.lab.registry import CLAIMS, Check, claim, judge
    >>> @claim(985, "toy: one is less than two", "1 < 2", "nowhere", ("X1",))
    ... def toy(seed, size):
    ...     return judge([Check("order", "one", 1, "<", "two", 2)], "Two numbers.", {"one": 1})
    >>> from lucidnet.lab.report import write_report
    >>> from lucidnet.lab.runner import run_claims
    >>> paths = write_report(run_claims([985], progress=False), "lab-out"); _ = CLAIMS.pop(985)
    >>> paths["html"], paths["md"], paths["figures"]
    ('lab-out/report.html', 'lab-out/report.md', [])
    >>> row = next(line for line in open(paths["md"]) if line.startswith("| [985]"))
    >>> row.split(" | ")[1:3]                    # the table of contents: title, verdict
    ['toy: one is less than two', 'holds']
    """
    results = list(results)
    if not results:
        raise ValueError("write_report: results is empty; run some claims first (run_claims)")
    out_dir = os.fspath(out_dir)
    fig_dir = os.path.join(out_dir, "figures")
    os.makedirs(fig_dir, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    counts = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    total = sum(r.seconds for r in results)

    toc = "".join(f'<tr><td><a href="#claim-{r.claim.id}">{r.claim.id}</a></td>'
                  f'<td><a href="#claim-{r.claim.id}">{html.escape(r.claim.title)}</a></td>'
                  f"<td>{_badge(r.status)}</td><td>{r.seconds:.1f} s</td></tr>" for r in results)
    html_parts, md_parts, written = [], [], []
    md_toc = ["| claim | title | verdict | time |", "|---|---|---|---|"]
    for r in results:
        pngs = [_png(f) for f in (r.result.figures if r.result is not None else [])]
        names = []
        for k, png in enumerate(pngs, 1):
            name = f"claim{r.claim.id:02d}_{k}.png"
            write_atomically(os.path.join(fig_dir, name), png)
            written.append(os.path.join(fig_dir, name))
            names.append(name)
        html_parts.append(_html_section(r, pngs))
        md_parts.append(_md_section(r, names))
        md_toc.append(f"| [{r.claim.id}](#{r.claim.id}-{_slug(r.claim.title)}) | "
                      f"{_md(r.claim.title, table=True)} | "
                      f"{r.status} | {r.seconds:.1f} s |")

    sizes = sorted({r.size for r in results})
    seeds = sorted({r.seed for r in results})
    meta = (f"{len(results)} claims &middot; {html.escape(summary)} &middot; size "
            f"{html.escape('/'.join(sizes))} &middot; seed {', '.join(map(str, seeds))} &middot; "
            f"total {total:.0f} s &middot; {stamp}")
    page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>lucidnet lab report</title><style>{_CSS}</style></head><body>\n"
            f"<h1>lucidnet lab: the notes' claims, measured</h1>\n<p class=\"meta\">{meta}</p>\n"
            f'<p class="meta">Verdict rule: each claim states its checks (comparisons of its '
            f"measured numbers); a claim {html.escape(RULE)}.</p>\n"
            f'<nav id="contents"><h2>Contents</h2><table><tr><th>claim</th><th>title</th>'
            f"<th>verdict</th><th>time</th></tr>{toc}</table></nav>\n"
            + "\n".join(html_parts) + "\n</body></html>\n")
    html_path = os.path.join(out_dir, "report.html")
    write_atomically(html_path, page.encode("utf-8"))

    md = ["# lucidnet lab: the notes' claims, measured", "",
          (f"{len(results)} claims · {summary} · size {'/'.join(sizes)} · seed "
          f"{', '.join(map(str, seeds))} · total {total:.0f} s · {stamp}"), "",
          (f"Verdict rule: each claim states its checks (comparisons of its measured numbers); a "
           f"claim {RULE}."), "", "## Contents", "",
          *md_toc, "", *md_parts]
    md_path = os.path.join(out_dir, "report.md")
    write_atomically(md_path, "\n".join(md).encode("utf-8"))
    return {"html": html_path, "md": md_path, "figures": written}


def _slug(title: str) -> str:
    """GitHub-style heading anchor of ``title`` (after its "N. " prefix)."""
    keep = "".join(ch for ch in title.lower() if ch.isalnum() or ch in " -")
    return keep.replace(" ", "-")
