"""The playground's HTTP API against the real uvicorn server (httpx)."""

from __future__ import annotations

import io
import json
import time

import pytest

httpx = pytest.importorskip("httpx")

import lucidnet  # noqa: E402

CSV = "width,height,kind\n" + "".join(f"{i * 0.7:.2f},{(i * 37) % 11},{'cat' if i % 3 else 'dog'}\n"
                                       for i in range(60))


@pytest.fixture(scope="module")
def client(playground_app_server):
    with httpx.Client(base_url=playground_app_server.url, timeout=60) as c:
        yield c


@pytest.fixture
def sid(client):
    r = client.post("/api/sessions", json={"dataset": "xor", "networkShape": [4, 2]})
    assert r.status_code == 201
    yield r.json()["id"]
    client.delete(f"/api/sessions/{r.json()['id']}")


def _events(client, sid, wanted, read_timeout=30.0):
    """The first ``wanted`` SSE events as (event, data) pairs."""
    out, event = [], None
    timeout = httpx.Timeout(60, read=read_timeout)
    with client.stream("GET", f"/api/sessions/{sid}/events", timeout=timeout) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                out.append((event, json.loads(line[6:])))
                if len(out) >= wanted:
                    break
    return out


def test_index_and_static_assets(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for name in ("app.js", "style.css"):
        assert client.get(f"/static/{name}").status_code == 200
    assert client.get("/static/missing.js").status_code == 404


def test_api_index(client):
    body = client.get("/api").json()
    assert body["name"] == "lucidnet playground"
    assert "POST /api/sessions" in body["endpoints"]
    assert {"xor-perceptron", "dying-relu", "lr-too-high", "saddle-point"} <= set(body["presets"])
    opts = body["options"]
    assert set(lucidnet.optim.OPTIMIZERS) == set(opts["optimizer"])
    assert opts["dataset"] == ["circle", "xor", "gauss", "spiral"]
    assert opts["regDataset"] == ["reg-plane", "reg-gauss"]
    assert {"tanh", "relu", "sigmoid", "linear"} <= set(opts["activation"])


def test_presets_endpoint(client):
    presets = client.get("/api/presets").json()
    by_name = {p["name"]: p for p in presets}
    assert by_name["xor-perceptron"]["config"]["networkShape"] == []
    assert all({"name", "title", "description", "config"} <= set(p) for p in presets)
    r = client.post("/api/sessions", json={"preset": "dying-relu"})
    assert r.status_code == 201 and r.json()["config"]["activation"] == "relu"
    client.delete(f"/api/sessions/{r.json()['id']}")


def test_create_state_shape(client, sid):
    st = client.get(f"/api/sessions/{sid}").json()
    assert st["id"] == sid and st["running"] is False and st["config"]["dataset"] == "xor"
    assert st["hash"].startswith("activation=tanh&") and "networkShape=4,2" in st["hash"]
    assert len(st["data"]["train"]) == 250 and st["data"]["features"] == ["x", "y"]
    f = st["frame"]
    assert f["step"] == 0 and len(f["boundary"]["values"]) == 2500
    assert [len(layer) for layer in f["neurons"]] == [2, 4, 2, 1]
    assert set(f["formulas"]) == {"update", "backward"}


@pytest.mark.parametrize("body, word", [
    ({"learningRate": -1}, "learningRate"), ({"activation": "nope"}, "activation"),
    ({"networkShape": [100000, 100000]}, "parameters"), ({"unknownKey": 1}, "unknownKey"),
])
def test_create_bad_config_is_400(client, body, word):
    r = client.post("/api/sessions", json=body)
    assert r.status_code == 400 and word in r.json()["error"]


def test_bad_json_body_is_400(client, sid):
    r = client.post("/api/sessions", content=b"{not json", headers={"content-type":
                                                                     "application/json"})
    assert r.status_code == 400 and "JSON" in r.json()["error"]
    r = client.patch(f"/api/sessions/{sid}", content=b"[1, 2]")
    assert r.status_code == 400 and "object" in r.json()["error"]


def test_unknown_session_is_404(client):
    for method, path in [("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/play"),
                         ("POST", "/step"), ("GET", "/events"), ("GET", "/export.py"),
                         ("GET", "/model.npz"), ("POST", "/data")]:
        r = client.request(method, f"/api/sessions/nosuchid{path}")
        assert r.status_code == 404 and "nosuchid" in r.json()["error"], (method, path)


def test_step_steps_and_epochs(client, sid):
    assert client.post(f"/api/sessions/{sid}/step").json()["frame"]["step"] == 1
    assert client.post(f"/api/sessions/{sid}/step", json={"steps": 9}).json()["steps"] == 10
    st = client.post(f"/api/sessions/{sid}/step", json={"epochs": 2}).json()
    assert st["steps"] == 60 and st["frame"]["epoch"] == pytest.approx(60 / 25)
    assert st["frame"]["history"]["step"][-1] == 60
    for bad in ({"steps": -1}, {"steps": "3"}, {"steps": True}, {"stepz": 1}):
        r = client.post(f"/api/sessions/{sid}/step", json=bad)
        assert r.status_code == 400


def test_patch_keeps_or_rebuilds(client, sid):
    client.post(f"/api/sessions/{sid}/step", json={"steps": 20})
    st = client.patch(f"/api/sessions/{sid}", json={"learningRate": 0.1, "batchSize": 5}).json()
    assert st["steps"] == 20 and st["config"]["learningRate"] == 0.1
    assert "learningRate=0.1" in st["hash"]
    st = client.patch(f"/api/sessions/{sid}", json={"networkShape": [3]}).json()
    assert st["steps"] == 0 and [len(x) for x in st["frame"]["neurons"]] == [2, 3, 1]
    r = client.patch(f"/api/sessions/{sid}", json={"batchSize": 0})
    assert r.status_code == 400 and "batchSize" in r.json()["error"]
    assert client.get(f"/api/sessions/{sid}").json()["config"]["networkShape"] == [3]


def test_reset(client, sid):
    first = client.get(f"/api/sessions/{sid}").json()["frame"]["train_loss"]
    client.post(f"/api/sessions/{sid}/step", json={"steps": 30})
    st = client.post(f"/api/sessions/{sid}/reset").json()
    assert st["steps"] == 0 and st["frame"]["train_loss"] == first


def test_play_streams_frames_and_pause_stops_computing(client, sid, playground_app_server):
    assert client.post(f"/api/sessions/{sid}/play").json()["running"] is True
    events = _events(client, sid, 6)
    assert events[0][0] == "state" and events[0][1]["running"] is True
    frames = [d for e, d in events if e == "frame"]
    assert len(frames) >= 4
    steps = [f["step"] for f in frames]
    assert steps == sorted(steps) and steps[-1] > steps[0]        # training moves on
    st = client.post(f"/api/sessions/{sid}/pause").json()
    assert st["running"] is False
    live = playground_app_server.app.state.store.get(sid)
    assert live.thread is None                                     # no training thread left
    paused_at = st["steps"]
    time.sleep(0.5)
    assert client.get(f"/api/sessions/{sid}").json()["steps"] == paused_at
    # while paused the stream sends the state and the latest frame, then nothing
    events = []
    with pytest.raises(httpx.ReadTimeout):
        with client.stream("GET", f"/api/sessions/{sid}/events",
                           timeout=httpx.Timeout(30, read=2.0)) as r:
            for line in r.iter_lines():
                if line.startswith("event: "):
                    events.append(line[7:])
    assert events == ["state", "frame"]
    assert client.get(f"/api/sessions/{sid}").json()["steps"] == paused_at


def test_autoplay_starts_training(client):
    r = client.post("/api/sessions", json={"autoplay": True, "networkShape": [2]})
    sid = r.json()["id"]
    try:
        assert r.json()["running"] is True
        frames = [d for e, d in _events(client, sid, 4) if e == "frame"]
        assert frames[-1]["step"] > 0
    finally:
        client.delete(f"/api/sessions/{sid}")


def test_step_while_playing_pauses(client, sid):
    client.post(f"/api/sessions/{sid}/play")
    st = client.post(f"/api/sessions/{sid}/step", json={"steps": 1}).json()
    assert st["running"] is False
    assert client.get(f"/api/sessions/{sid}").json()["steps"] == st["steps"]


def test_diverging_session_stops_by_itself(client):
    sid = client.post("/api/sessions", json={"preset": "lr-too-high"}).json()["id"]
    try:
        client.post(f"/api/sessions/{sid}/play")
        for _ in range(600):
            st = client.get(f"/api/sessions/{sid}").json()
            if not st["running"]:
                break
            time.sleep(0.05)
        assert st["diverged"] is True and st["running"] is False
        assert st["frame"]["doctor"][0]["code"] == "divergence"
    finally:
        client.delete(f"/api/sessions/{sid}")


def test_csv_columns_and_upload(client, sid):
    r = client.post("/api/csv/columns", content=CSV.encode(), headers={"content-type": "text/csv"})
    assert r.json() == {"columns": ["width", "height", "kind"]}
    r = client.post(f"/api/sessions/{sid}/data", params={"x1": "height", "x2": "width",
                                                         "target": "kind"},
                    content=CSV.encode(), headers={"content-type": "text/csv"})
    st = r.json()
    assert r.status_code == 200 and st["config"]["dataset"] == "csv"
    assert st["data"]["columns"] == ["width", "height", "kind"]
    assert len(st["data"]["train"]) + len(st["data"]["test"]) == 60
    labels = {p[2] for p in st["data"]["train"] + st["data"]["test"]}
    assert labels == {-1.0, 1.0}
    st = client.post(f"/api/sessions/{sid}/step", json={"steps": 10}).json()
    assert st["steps"] == 10 and st["config"]["dataset"] == "csv"
    # the defaults: first, second and last column; a numeric target is a regression
    numeric = "a,b,y\n" + "".join(f"{i},{i % 4},{i * 0.5}\n" for i in range(30))
    st = client.post(f"/api/sessions/{sid}/data", content=numeric.encode()).json()
    assert st["config"]["problem"] == "regression" and st["config"]["regDataset"] == "csv"
    # going back to a built-in dataset drops the CSV
    st = client.patch(f"/api/sessions/{sid}", json={"problem": "classification",
                                                     "dataset": "circle"}).json()
    assert st["data"]["columns"] is None and len(st["data"]["train"]) == 250


@pytest.mark.parametrize("body, params, word", [
    (b"", {}, "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", {}, "not a text file"),
    (bytes(range(128, 256)) * 4, {}, "UTF-8"),
    (CSV.encode(), {"x1": "depth"}, "no column 'depth'"),
    (CSV.encode(), {"x1": "kind", "target": "width"}, "numeric"),
    (b"a,b,c\n1,2,0\n3,4,1\n", {}, "at least 10"),
    (b"a,b,c\n" + b"1,2\n" * 12, {}, "line"),
    (("a,b,c\n" + "1,2,x\n" * 12).encode(), {}, "one value"),
    (("a,b,c\n" + "".join(f"1,2,k{i}\n" for i in range(12))).encode(), {}, "non-numeric"),
    (CSV.encode(), {"target": "width", "x1": "width"}, "also a feature"),
])
def test_bad_csv_is_400_and_the_server_keeps_serving(client, sid, body, params, word):
    r = client.post(f"/api/sessions/{sid}/data", params=params, content=body,
                    headers={"content-type": "text/csv"})
    assert r.status_code == 400, r.text
    assert word in r.json()["error"]
    assert "/tmp" not in r.json()["error"]                  # no temporary path leaks out
    st = client.get(f"/api/sessions/{sid}").json()             # still serving, data unchanged
    assert st["config"]["dataset"] == "xor"
    assert client.get("/api").status_code == 200


def test_csv_columns_bad_file(client):
    r = client.post("/api/csv/columns", content=b"\x00\x00\x00")
    assert r.status_code == 400 and "error" in r.json()


def test_upload_too_large_is_413(client, sid):
    from lucidnet.playground.csvdata import MAX_BYTES

    r = client.post(f"/api/sessions/{sid}/data", content=b"a" * (MAX_BYTES + 10))
    assert r.status_code == 413 and "bytes" in r.json()["error"]


def test_model_npz_loads(client, sid):
    client.post(f"/api/sessions/{sid}/step", json={"steps": 15})
    r = client.get(f"/api/sessions/{sid}/model.npz")
    assert r.status_code == 200 and r.headers["content-type"] == "application/octet-stream"
    model, meta = lucidnet.load(io.BytesIO(r.content), with_metadata=True)
    assert meta["steps"] == 15 and meta["playground_config"]["dataset"] == "xor"
    import numpy as np

    grid = np.array([[1.0, 2.0], [-3.0, 0.5]])
    from lucidnet.autograd.tensor import Tensor, no_grad

    model.eval()
    with no_grad():
        out = model(Tensor(grid)).data
    st = client.get(f"/api/sessions/{sid}").json()
    assert st["frame"]["step"] == 15 and out.shape == (2, 1) and (np.abs(out) <= 1).all()


def test_export_py_endpoint(client, sid):
    r = client.get(f"/api/sessions/{sid}/export.py")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/x-python")
    compile(r.text, "export.py", "exec")


def test_delete_then_gone(client):
    sid = client.post("/api/sessions", json={}).json()["id"]
    client.post(f"/api/sessions/{sid}/play")
    assert client.delete(f"/api/sessions/{sid}").status_code == 204
    assert client.get(f"/api/sessions/{sid}").status_code == 404


def test_idle_sessions_expire(client, playground_app_server):
    store = playground_app_server.app.state.store
    sid = client.post("/api/sessions", json={}).json()["id"]
    client.post(f"/api/sessions/{sid}/play")
    live = store.get(sid)
    gone = store.expire(now=time.monotonic() + store.session_ttl + 1)
    assert sid in gone and live.running is False
    assert client.get(f"/api/sessions/{sid}").status_code == 404


# ----------------------------------------------------------------------------- the command
def _lucidnet(*args, **kw):
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-m", "lucidnet", "playground", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_cli_serves_on_127_0_0_1_without_browser():
    proc = _lucidnet("--no-browser", "--port", "0")
    try:
        line = proc.stdout.readline()
        assert line.startswith("lucidnet playground: http://127.0.0.1:") and line.endswith("/\n")
        url = line.split(": ", 1)[1].strip()
        for _ in range(200):
            try:
                r = httpx.get(url + "api")
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert r.status_code == 200 and r.json()["name"] == "lucidnet playground"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_cli_mistakes_are_one_line_exit_2():
    import socket

    proc = _lucidnet("--port", "70000")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "--port" in err and len(err.strip().splitlines()) == 1
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        proc = _lucidnet("--no-browser", "--port", str(busy.getsockname()[1]))
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "cannot listen" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_without_starlette_the_import_error_says_what_to_install():
    import subprocess
    import sys

    code = ("import sys; sys.modules['starlette'] = None\n"
            "try:\n    import lucidnet.playground\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert "pip install 'lucidnet[playground]'" in out.stdout, out.stderr
