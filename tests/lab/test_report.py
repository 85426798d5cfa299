"""The lab's runner, report and command (SPEC L, issue 6 items 3-4).

The report built from quick runs of a few fast claims (plus one failing experiment) is opened in
headless Chromium: every image must load (naturalWidth > 0) and every claim's section be there.
"""

import argparse
import base64
import html
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from lucidnet.lab import CLAIMS, Claim, Result
from lucidnet.lab import runner as lab_runner
from lucidnet.lab.commands import add_lab_parser, run_lab
from lucidnet.lab.report import format_value, write_report
from lucidnet.lab.runner import blas_single_thread, run_claims

FAST = [16, 18, 19]
BROKEN = 990  # a test-only claim whose experiment raises


def _boom(seed, size):
    raise RuntimeError("the experiment exploded on purpose")


@pytest.fixture
def broken_claim(monkeypatch):
    from lucidnet.lab.registry import _load_all

    _load_all()
    monkeypatch.setitem(CLAIMS, BROKEN, Claim(BROKEN, "A claim that fails", "It raises.",
                                              "test", ("L",), _boom))
    return BROKEN


@pytest.fixture(scope="module")
def fast_runs():
    with blas_single_thread():
        return run_claims(FAST, seed=0, size="quick", progress=False)


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _chromium_cmd(binary, profile):
    return [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=10000"]


# ----------------------------------------------------------------------------- runner
def test_run_claims_returns_one_entry_per_claim_in_order(fast_runs):
    assert [r.claim.id for r in fast_runs] == FAST
    for r in fast_runs:
        assert r.error is None and isinstance(r.result, Result)
        assert r.status == r.result.verdict and r.seconds > 0
        assert (r.seed, r.size) == (0, "quick")


def test_run_claims_keeps_a_failing_experiment(broken_claim):
    runs = run_claims([19, broken_claim], progress=False)
    assert [r.status for r in runs] == ["holds", "failed"]
    assert runs[1].result is None
    assert "RuntimeError: the experiment exploded on purpose" in runs[1].error


def test_run_claims_progress_bar_names_the_claim(capsys):
    run_claims([19], progress=True)
    err = capsys.readouterr().err
    assert "claim 19" in err and "1/1" in err


def test_run_claims_rejects_bad_input_before_running():
    with pytest.raises(ValueError, match="unknown claim 4242; valid ids: 1, 2"):
        run_claims([19, 4242], progress=False)
    with pytest.raises(ValueError, match="size must be one of"):
        run_claims([19], size="huge", progress=False)
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        run_claims([19], seed=-1, progress=False)


# ----------------------------------------------------------------------------- report
def test_format_value():
    assert format_value(0.123456789) == "0.1235"
    assert format_value([1, 2.5, True]) == "[1, 2.5, yes]"
    assert format_value(np.float64(2.0)) == "2"
    assert format_value(np.array([[1, 2], [3, 4]])) == "[[1, 2], [3, 4]]"
    assert format_value("very good") == "very good"


def test_write_report_refuses_nothing(tmp_path):
    with pytest.raises(ValueError, match="results is empty"):
        write_report([], tmp_path)


@pytest.fixture
def report(tmp_path, fast_runs, broken_claim):
    runs = list(fast_runs) + run_claims([broken_claim], progress=False)
    return runs, write_report(runs, tmp_path / "out")


def test_report_html_is_self_contained_with_every_section(report):
    runs, paths = report
    page = Path(paths["html"]).read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)  # nothing external
    assert "<link" not in page and "@import" not in page
    for r in runs:
        section = page.split(f'<section id="claim-{r.claim.id}">')[1].split("</section>")[0]
        assert f'href="#claim-{r.claim.id}"' in page  # table of contents
        assert html.escape(r.claim.seed_row) in section and html.escape(r.claim.statement) in section
        assert ", ".join(r.claim.spec) in section
        assert f"{r.seconds:.1f} s" in section
        assert f">{r.status}</span>" in section
        if r.result is None:
            assert "the experiment exploded on purpose" in section
            continue
        for key, value in r.result.numbers.items():
            cells = f"<td>{html.escape(str(key))}</td><td>{html.escape(format_value(value))}</td>"
            assert cells in section
        assert html.escape(r.result.explanation) in section
        images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', section)
        assert len(images) == len(r.result.figures) >= 1
        for b64 in images:
            assert base64.b64decode(b64)[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_markdown_links_png_files(report):
    runs, paths = report
    md = Path(paths["md"]).read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\((figures/[^)]+\.png)\)", md)
    assert len(links) == sum(len(r.result.figures) for r in runs if r.result is not None)
    base = os.path.dirname(paths["md"])
    for link in links:
        with open(os.path.join(base, link), "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    for r in runs:
        assert f"## {r.claim.id}. {r.claim.title}" in md
        assert f"**Verdict: {r.status}**" in md


def test_report_renders_in_headless_chromium(report, tmp_path):
    binary = _chromium()
    if binary is None:
        pytest.skip("no chromium binary on PATH (Debian: apt-get install chromium)")
    runs, paths = report
    # a copy of the report with a probe that records, after load, how many images decoded
    probe = ("<script>window.addEventListener('load', () => {const imgs = [...document.images];"
             "document.body.dataset.total = imgs.length; document.body.dataset.broken = "
             "imgs.filter(i => !(i.complete && i.naturalWidth > 0)).length;"
             "document.body.dataset.sections = document.querySelectorAll('section').length;});"
             "</script>")
    page = Path(paths["html"]).read_text(encoding="utf-8").replace("</body>", probe + "</body>")
    checked = tmp_path / "checked.html"
    checked.write_text(page, encoding="utf-8")
    cmd = _chromium_cmd(binary, tmp_path / "profile")
    dom = subprocess.run(cmd + ["--dump-dom", checked.as_uri()], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    n_images = sum(len(r.result.figures) for r in runs if r.result is not None)
    assert f'data-total="{n_images}"' in dom, dom[:500]
    assert 'data-broken="0"' in dom
    assert f'data-sections="{len(runs)}"' in dom
    for r in runs:
        assert f'id="claim-{r.claim.id}"' in dom
    # a screenshot of the report itself: a real, non-blank picture
    shot = tmp_path / "report.png"
    subprocess.run(cmd + [f"--screenshot={shot}", "--window-size=1100,2600",
                          Path(paths["html"]).as_uri()], capture_output=True, timeout=120, check=True)
    import matplotlib.image

    pixels = matplotlib.image.imread(str(shot))
    assert pixels.shape[0] >= 2000 and pixels.shape[1] >= 1000
    assert pixels[..., :3].std() > 0.05  # text, badges and figures, not an empty page
    keep = os.environ.get("LUCIDNET_LAB_SCREENSHOT")  # to look at it by eye
    if keep:
        shutil.copy(shot, keep)


# ----------------------------------------------------------------------------- command
def _parse(*argv):
    parser = argparse.ArgumentParser(prog="lucidnet")
    add_lab_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["lab", *argv])


def test_lab_list_names_every_claim():
    out = io.StringIO()
    assert run_lab(_parse("list"), out=out) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == len([c for c in CLAIMS if c != BROKEN]) >= 22
    assert any(line.split()[0] == "19" and "imbalanced" in line for line in lines)


def test_lab_run_one_claim_prints_numbers_and_saves_figures(tmp_path):
    out = io.StringIO()
    assert run_lab(_parse("run", "19", "--out", str(tmp_path), "--no-progress"), out=out) == 0
    text = out.getvalue()
    assert "claim 19:" in text and "verdict: holds" in text and "majority" in text
    assert (tmp_path / "claim19_1.png").read_bytes()[:4] == b"\x89PNG"


def test_lab_run_all_writes_the_report(tmp_path, monkeypatch):
    monkeypatch.setattr(lab_runner, "all_claim_ids", lambda: [18, 19])
    out = io.StringIO()
    assert run_lab(_parse("run", "--all", "--out", str(tmp_path), "--no-progress"), out=out) == 0
    assert (tmp_path / "report.html").exists() and (tmp_path / "report.md").exists()
    assert "report:" in out.getvalue()


def test_lab_run_exit_status_1_when_an_experiment_fails(tmp_path, broken_claim):
    out = io.StringIO()
    args = _parse("run", str(broken_claim), "--out", str(tmp_path), "--no-progress")
    assert run_lab(args, out=out) == 1
    assert "FAILED" in out.getvalue()


@pytest.mark.parametrize("argv, message", [
    (("run", "99"), "unknown claim '99'; valid ids: 1, 2, 3"),
    (("run", "abc"), "unknown claim 'abc'"),
    (("run",), "give a claim id"),
    (("run", "12", "--all"), "not both"),
    (("run", "12", "--seed", "-3"), "--seed must be a non-negative integer"),
    ((), "lab needs an action"),
])
def test_lab_user_mistakes_are_one_line_value_errors(argv, message):
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        run_lab(_parse(*argv), out=io.StringIO())
    assert "\n" not in str(err.value)
