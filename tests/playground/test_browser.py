"""The playground page in a real browser: headless Chromium (the Debian binary) driven by Playwright.

Each test opens the page served by the real server (the ``playground_server`` fixture of
``tests/playground/conftest.py``), works the controls as a user would and checks what the page shows
against what the server reports. Nothing here downloads a browser: without ``/usr/bin/chromium`` or
Playwright the tests skip and say why. No test asserts a duration: waits are for a condition, with a
generous limit because the machine is slow and shared.
"""

import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LONG = 120_000    # ms: training to a low loss on a busy 2-core machine
SHORT = 30_000    # ms: a page reaction to one click

XOR_HASH = ("dataset=xor&networkShape=4,4&activation=tanh&learningRate=0.03&regularization=none"
            "&regularizationRate=0&noise=0&batchSize=10&percTrainData=50&x=true&y=true&seed=0.12345")
# A link as TensorFlow Playground writes it (every key of its state, in its order).
TF_LINK = ("activation=relu&batchSize=17&dataset=spiral&regDataset=reg-plane&learningRate=0.01"
           "&regularizationRate=0.003&noise=15&networkShape=5,3,2&seed=0.55440&showTestData=true"
           "&discretize=false&percTrainData=60&x=true&y=true&xTimesY=true&xSquared=false"
           "&ySquared=false&cosX=false&sinX=true&cosY=false&sinY=false&collectStats=false"
           "&problem=classification&initZero=false&hideText=false&regularization=L2")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: install the Debian package 'chromium' (no browser is downloaded)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    """A fresh page; JavaScript errors and failed console messages fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    problems = []
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    pg.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
          if msg.type == "error" and not re.search(r"status of 40[04]", msg.text) else None)
    yield pg
    context.close()
    assert not problems, problems


def api(base, path, method="GET", body=None, content_type="application/json"):
    """Call the server directly: (status, decoded JSON or text)."""
    data = None
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    req = urllib.request.Request(base.rstrip("/") + path, data=data, method=method,
                                 headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            raw, status = resp.read().decode(), resp.status
    except urllib.error.HTTPError as err:
        raw, status = err.read().decode(), err.code
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw


def open_page(page, base, hash_=""):
    page.goto(base.rstrip("/") + "/" + (f"#{hash_}" if hash_ else ""))
    page.wait_for_function("document.body.getAttribute('data-session')", timeout=SHORT)
    return page.get_attribute("body", "data-session")


def loss_of(page, selector):
    value = page.get_attribute(selector, "data-value")
    return float(value)


def step_of(page):
    return int(page.inner_text("#step-counter"))


def press_play(page):
    page.click("#play")
    page.wait_for_function("document.body.getAttribute('data-running') === 'true'", timeout=SHORT)


def press_pause(page):
    page.click("#play")
    page.wait_for_function("document.body.getAttribute('data-running') === 'false'", timeout=SHORT)


def png_pixels(png_bytes):
    """The decoded PNG as an (h, w, 3) array of ints."""
    import numpy as np
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png_bytes)).convert("RGB")).astype(int)


# ------------------------------------------------------------------------------------------- tests
@pytest.mark.slow
def test_xor_trains_below_0_1_and_the_page_is_drawn(page, playground_server, tmp_path):
    sid = open_page(page, playground_server, XOR_HASH + "&showTestData=true")
    # the controls come from the URL
    assert page.input_value("#activation") == "tanh"
    assert page.inner_text("#num-layers") == "2"
    assert page.locator(".hidden-node").count() == 8
    press_play(page)
    page.wait_for_function(
        "parseFloat(document.getElementById('test-loss').getAttribute('data-value')) < 0.1", timeout=LONG)
    press_pause(page)
    shown = loss_of(page, "#test-loss")
    assert shown < 0.1
    status, state = api(playground_server, f"/api/sessions/{sid}")
    assert status == 200 and state["frame"]["test_loss"] < 0.1
    assert step_of(page) == state["frame"]["step"] > 0

    shot = png_pixels(page.screenshot(path=str(tmp_path / "xor.png"), full_page=True))
    colours = len({tuple(p) for p in shot.reshape(-1, 3)[::7]})
    assert shot.shape[1] >= 1000 and colours > 500, colours        # a drawn page, not a blank one
    heat = png_pixels(page.locator("#boundary").screenshot()).reshape(-1, 3)
    assert heat.std(axis=0).min() > 20, heat.std(axis=0)           # the map is not one flat colour
    r, b = heat[:, 0], heat[:, 2]                                    # TF Playground's blue and orange
    assert (b > r + 60).mean() > 0.1 and (r > b + 60).mean() > 0.1
    # one link per weight, coloured by its sign
    shape = [len(state["data"]["features"]), 4, 4, 1]
    links = page.locator("path.link")
    assert links.count() == sum(a * b for a, b in zip(shape[:-1], shape[1:]))
    for k in range(links.count()):
        value = float(links.nth(k).get_attribute("data-value"))
        r, g, b = map(int, re.findall(r"\d+", links.nth(k).get_attribute("stroke")))
        if abs(value) > 0.05:
            assert (b > r) == (value > 0), (value, r, g, b)
    # hovering a link shows its value
    links.nth(0).hover(force=True)
    assert page.inner_text("#hovercard").startswith("Weight is ")


@pytest.mark.slow
def test_csv_upload_trains_on_the_file(page, playground_server, tmp_path):
    import numpy as np
    rng = np.random.default_rng(0)
    n = 120
    label = np.where(np.arange(n) < n // 2, 1, -1)
    a = label * 2.0 + rng.normal(0, 0.7, n)
    b = label * 2.0 + rng.normal(0, 0.7, n)
    junk = rng.normal(0, 1, n)
    path = tmp_path / "mine.csv"
    lines = ["target,feat_a,junk,feat_b"] + [f"{t},{x:.4f},{j:.4f},{y:.4f}" for t, x, j, y in zip(label, a, junk, b)]
    path.write_text("\n".join(lines) + "\n")

    sid = open_page(page, playground_server, "networkShape=3")
    page.set_input_files("#csv-file", str(path))
    page.wait_for_function("document.getElementById('csv-status').textContent.startsWith('Training on')",
                           timeout=SHORT)
    options = page.locator("#csv-x1 option").all_inner_texts()
    assert options == ["target", "feat_a", "junk", "feat_b"]
    # pick the two features and the target by name
    page.select_option("#csv-x1", "feat_a")
    page.select_option("#csv-x2", "feat_b")
    page.select_option("#csv-target", "target")
    page.click("#csv-apply")
    # the apply's own status (the first upload's, with the default columns, also names feat_b:
    # waiting for that let the state below be read while the apply was still in flight)
    page.wait_for_function("document.getElementById('csv-status').textContent"
                           ".includes('feat_a, feat_b \u2192 target')", timeout=SHORT)
    assert page.is_hidden("#error")
    status, state = api(playground_server, f"/api/sessions/{sid}")
    assert status == 200 and state["config"]["dataset"] == "csv"
    assert len(state["data"]["train"]) + len(state["data"]["test"]) == n
    assert "csv" in page.evaluate("location.hash") or state["config"]["dataset"] == "csv"

    before = step_of(page)
    press_play(page)
    page.wait_for_function(f"parseInt(document.getElementById('step-counter').textContent) > {before + 20}",
                           timeout=LONG)
    press_pause(page)
    loss = loss_of(page, "#train-loss")
    assert loss == loss and loss < 1.0        # finite and learning: the two blobs separate


@pytest.mark.slow
def test_exported_script_reproduces_the_page_loss(page, playground_server, tmp_path):
    sid = open_page(page, playground_server, XOR_HASH)
    press_play(page)
    page.wait_for_function("parseInt(document.getElementById('step-counter').textContent) >= 60", timeout=LONG)
    press_pause(page)
    page_test = loss_of(page, "#test-loss")
    page_train = loss_of(page, "#train-loss")
    with page.expect_download(timeout=SHORT) as info:
        page.click("#export-script")
    script = tmp_path / "run.py"
    info.value.save_as(str(script))
    assert info.value.url.endswith(f"/api/sessions/{sid}/export.py")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600,
                          cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    printed = dict(re.findall(r"^(train|test) loss ([-+0-9.eE]+)\s*$", done.stdout, flags=re.M))
    assert set(printed) == {"train", "test"}, done.stdout[-500:]
    assert float(printed["test"]) == pytest.approx(page_test, rel=0.02, abs=2e-3)
    assert float(printed["train"]) == pytest.approx(page_train, rel=0.02, abs=2e-3)
    # the model download is a real .npz
    with page.expect_download(timeout=SHORT) as info:
        page.click("#export-model")
    model = tmp_path / "model.npz"
    info.value.save_as(str(model))
    assert model.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize("content", ["a,b,label\n1,2,1\n3,oops,-1\n4,5,1\n",
                                     "only_one_column\n1\n2\n3\n",
                                     "\x00\x01\x02 not a table"])
def test_malformed_csv_shows_the_server_error_and_the_server_keeps_serving(page, playground_server,
                                                                           tmp_path, content):
    sid = open_page(page, playground_server)
    path = tmp_path / "bad.csv"
    path.write_text(content)
    page.set_input_files("#csv-file", str(path))
    page.wait_for_selector("#error", state="visible", timeout=SHORT)
    shown = page.inner_text("#error-text")
    # the page shows the server's own message: ask the server the same questions
    status, answer = api(playground_server, "/api/csv/columns", "POST", content, "text/csv")
    if status == 200:
        status, answer = api(playground_server, f"/api/sessions/{sid}/data", "POST", content, "text/csv")
    assert status == 400 and shown == answer["error"] and len(shown) > 10
    status, info = api(playground_server, "/api")
    assert status == 200 and info["name"] == "lucidnet playground"
    # the page still works after the error: the session keeps its former data
    page.click("#step")
    page.wait_for_function("parseInt(document.getElementById('step-counter').textContent) >= 1", timeout=SHORT)
    status, state = api(playground_server, f"/api/sessions/{sid}")
    assert status == 200 and state["config"]["dataset"] != "csv"


def test_tf_playground_link_sets_the_controls_and_controls_update_the_hash(page, playground_server):
    sid = open_page(page, playground_server, TF_LINK)
    assert page.input_value("#activation") == "relu"
    assert float(page.input_value("#learningRate")) == 0.01
    assert page.input_value("#regularization") == "L2"
    assert float(page.input_value("#regularizationRate")) == 0.003
    assert page.input_value("#noise") == "15"
    assert page.input_value("#percTrainData") == "60"
    assert page.input_value("#batchSize-number") == "17"
    assert page.input_value("#problem") == "classification"
    assert page.is_checked("#showTestData") and not page.is_checked("#discretize")
    assert page.inner_text("#num-layers") == "3"
    assert page.locator(".hidden-node").count() == 5 + 3 + 2
    pressed = {k: page.get_attribute(f"#feature-{k}", "aria-pressed")
               for k in ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"]}
    assert pressed == {"x": "true", "y": "true", "xSquared": "false", "ySquared": "false",
                       "xTimesY": "true", "sinX": "true", "sinY": "false"}
    assert page.get_attribute("[data-testid=dataset-spiral]", "aria-checked") == "true"
    status, state = api(playground_server, f"/api/sessions/{sid}")
    assert state["config"]["seed"] == "0.55440" and state["config"]["networkShape"] == [5, 3, 2]
    assert state["config"]["batchSize"] == 17

    def hash_has(fragment):
        page.wait_for_function(f"location.hash.includes({json.dumps(fragment)})", timeout=SHORT)

    page.select_option("#activation", "tanh")
    hash_has("activation=tanh")
    page.click("#add-layer")
    hash_has("networkShape=5,3,2,2")
    page.click("#add-neuron-1")
    hash_has("networkShape=6,3,2,2")
    page.click("[data-testid=dataset-gauss]")
    hash_has("dataset=gauss")
    page.click("#feature-xSquared")
    hash_has("xSquared=true")
    page.select_option("#problem", "regression")
    hash_has("problem=regression")
    assert page.locator("#datasets .dataset").count() == 2
    # the new hash opens the same state in a new page
    new_hash = page.evaluate("location.hash")
    other = page.context.new_page()
    open_page(other, playground_server, new_hash.lstrip("#"))
    assert other.input_value("#activation") == "tanh" and other.input_value("#problem") == "regression"
    assert other.inner_text("#num-layers") == "4"
    other.close()
    # a link pasted into the address bar of an open page opens its state (defaults for the rest)
    page.evaluate("location.hash = 'dataset=circle&networkShape=2&activation=sigmoid'")
    page.wait_for_function("document.getElementById('num-layers').textContent === '1'", timeout=SHORT)
    assert page.input_value("#activation") == "sigmoid"
    assert page.get_attribute("#feature-xTimesY", "aria-pressed") == "false"
    assert page.input_value("#problem") == "classification"
    hash_has("networkShape=2&")


def test_a_link_with_a_bad_value_says_so_and_opens_the_defaults(page, playground_server):
    sid = open_page(page, playground_server, "dataset=xor&learningRate=fast")
    page.wait_for_selector("#error", state="visible", timeout=SHORT)
    status, answer = api(playground_server, "/api/sessions", "POST", {"dataset": "xor", "learningRate": "fast"})
    assert status == 400 and page.inner_text("#error-text") == answer["error"]
    assert "learningRate" in answer["error"]
    state = api(playground_server, f"/api/sessions/{sid}")[1]
    assert state["config"]["learningRate"] == 0.03 and float(page.input_value("#learningRate")) == 0.03
    page.click("#step")
    page.wait_for_function("document.getElementById('step-counter').textContent === '1'", timeout=SHORT)


def test_autoplay_starts_training_and_pause_stops_the_counter(page, playground_server):
    sid = open_page(page, playground_server, "dataset=circle&networkShape=3&autoplay=1")
    page.wait_for_function("parseInt(document.getElementById('step-counter').textContent) > 5", timeout=LONG)
    assert page.get_attribute("#play", "aria-pressed") == "true"
    press_pause(page)
    status, state = api(playground_server, f"/api/sessions/{sid}")
    assert status == 200 and state["running"] is False
    stopped = state["frame"]["step"]
    page.wait_for_function(f"parseInt(document.getElementById('step-counter').textContent) === {stopped}",
                           timeout=SHORT)
    time.sleep(1.5)     # not a timing assert: a paused session must not move at all
    assert step_of(page) == stopped
    assert api(playground_server, f"/api/sessions/{sid}")[1]["frame"]["step"] == stopped
    # one step button = one mini-batch; reset goes back to step 0
    page.click("#step")
    page.wait_for_function(f"parseInt(document.getElementById('step-counter').textContent) === {stopped + 1}",
                           timeout=SHORT)
    page.click("#reset")
    page.wait_for_function("parseInt(document.getElementById('step-counter').textContent) === 0", timeout=SHORT)
    # the play button works from the keyboard
    page.focus("#play")
    page.keyboard.press("Enter")
    page.wait_for_function("document.body.getAttribute('data-running') === 'true'", timeout=SHORT)
    press_pause(page)


def test_the_page_never_shows_an_older_frame_than_it_has_shown(page, playground_server):
    """A state event carries no frame; the page once redrew the frame of its last full state (the
    play response, step ~0) on receiving one, so a pause could show the loss of the start."""
    sid = open_page(page, playground_server, XOR_HASH)
    press_play(page)
    page.wait_for_function("parseInt(document.getElementById('step-counter').textContent) > 100",
                           timeout=LONG)
    # the step shown when the observer starts, read in the same task (read afterwards, it could
    # be newer than the first steps the observer records: a false "back in time" under load)
    before = page.evaluate("""() => {
      window.__shown = [];
      const el = document.getElementById('step-counter');
      new MutationObserver(() => window.__shown.push(parseInt(el.textContent))).observe(
          el, {childList: true, characterData: true, subtree: true});
      return parseInt(el.textContent);
    }""")
    # paused by another client: this page learns it from the event stream's state event
    status, state = api(playground_server, f"/api/sessions/{sid}/pause", "POST")
    assert status == 200
    stopped = state["frame"]["step"]
    page.wait_for_function("document.body.getAttribute('data-running') === 'false'", timeout=SHORT)
    page.wait_for_function(f"parseInt(document.getElementById('step-counter').textContent) === {stopped}",
                           timeout=SHORT)
    shown = [before] + page.evaluate("window.__shown")
    assert shown == sorted(shown), shown                     # never back in time
    assert loss_of(page, "#test-loss") == pytest.approx(state["frame"]["test_loss"], rel=1e-6)
    # a reset is a new build: its step 0 is shown although 0 < the steps shown before
    page.click("#reset")
    page.wait_for_function("document.getElementById('step-counter').textContent === '0'", timeout=SHORT)


def test_an_expired_session_is_opened_again_with_the_same_settings(page, playground_server):
    sid = open_page(page, playground_server, "dataset=spiral&networkShape=3,2&activation=relu")
    status, _ = api(playground_server, f"/api/sessions/{sid}", "DELETE")
    assert status == 204
    page.click("#step")
    page.wait_for_function(f"document.body.getAttribute('data-session') !== {json.dumps(sid)}", timeout=SHORT)
    page.wait_for_function("document.getElementById('step-counter').textContent === '1'", timeout=SHORT)
    new_id = page.get_attribute("body", "data-session")
    state = api(playground_server, f"/api/sessions/{new_id}")[1]
    assert state["config"]["dataset"] == "spiral" and state["config"]["networkShape"] == [3, 2]
    assert state["config"]["activation"] == "relu" and state["frame"]["step"] == 1
    assert page.get_attribute("#export-script", "href").endswith(f"/api/sessions/{new_id}/export.py")


def test_options_presets_and_panels_come_from_the_server(page, playground_server):
    sid = open_page(page, playground_server)
    status, info = api(playground_server, "/api")
    assert status == 200
    for key in ["activation", "optimizer", "schedule", "init"]:
        shown = page.locator(f"#{key} option").evaluate_all("os => os.map(o => o.value)")
        assert set(info["options"][key]) <= set(shown), key
    status, presets = api(playground_server, "/api/presets")
    names = page.locator("#presets option").evaluate_all("os => os.map(o => o.value).filter(Boolean)")
    assert names == [p["name"] for p in presets]
    assert {"xor-perceptron", "dying-relu", "lr-too-high", "saddle-point"} <= set(names)
    # a lucidnet option changes the session and the hash
    optimizer = "adam" if "adam" in info["options"]["optimizer"] else info["options"]["optimizer"][-1]
    page.select_option("#optimizer", optimizer)
    page.wait_for_function(f"location.hash.includes('optimizer={optimizer}')", timeout=SHORT)
    assert api(playground_server, f"/api/sessions/{sid}")[1]["config"]["optimizer"] == optimizer
    page.click("#step")
    page.wait_for_function("document.getElementById('step-counter').textContent === '1'", timeout=SHORT)
    state = api(playground_server, f"/api/sessions/{sid}")[1]
    assert page.inner_text("#formulas-update").strip() == state["frame"]["formulas"]["update"].strip()
    assert page.inner_text("#formulas-backward").strip() == state["frame"]["formulas"]["backward"].strip()
    # a preset opens its claim: the XOR perceptron has no hidden layer
    page.select_option("#presets", "xor-perceptron")
    page.wait_for_function("document.getElementById('num-layers').textContent === '0'", timeout=SHORT)
    # the description is written when the PATCH answers, which may come after the stream's state
    page.wait_for_selector("#preset-description", state="visible", timeout=SHORT)
    assert "dataset=xor" in page.evaluate("location.hash")
    # the doctor's warnings are shown as the server sends them: too high a learning rate diverges,
    # the server stops by itself and the page shows it stopped
    page.select_option("#presets", "lr-too-high")
    page.wait_for_function("location.hash.includes('learningRate=5')", timeout=SHORT)
    page.click("#play")
    page.wait_for_function("document.querySelector('#doctor li[data-code=divergence]')", timeout=LONG)
    page.wait_for_function("document.body.getAttribute('data-running') === 'false'", timeout=SHORT)
    state = api(playground_server, f"/api/sessions/{sid}")[1]
    assert state["diverged"] is True and state["running"] is False
    shown = page.inner_text("#doctor li[data-code=divergence]")
    assert [d for d in state["frame"]["doctor"] if d["code"] == "divergence"][0]["message"] in shown


def test_static_files_ship_with_the_package():
    from importlib import resources
    static = resources.files("lucidnet.playground") / "static"
    names = {p.name for p in static.iterdir()}
    assert {"index.html", "app.js", "style.css"} <= names
    for name in ["index.html", "app.js", "style.css"]:
        text = (static / name).read_text()
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", text), f"{name} names an external URL"
    assert Path(str(static)).is_dir()
