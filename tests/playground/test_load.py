"""Load test: 20 concurrent sessions for 30 s against the real server, in its own process.

Each client creates a session, plays it, reads its event stream, changes a setting, steps,
pauses and polls the state; at the end every session is deleted. No request may fail, and the
server's resident memory must not keep growing (RSS after 30 s within a margin of RSS after 10 s).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

httpx = pytest.importorskip("httpx")

SESSIONS = 20
SECONDS = 30.0

_SERVER = """
import sys
from lucidnet.playground import serve
serve("127.0.0.1", 0, open_browser=False)
"""


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _client(url: str, index: int, stop: threading.Event, stats: dict, lock: threading.Lock):
    counts = {"requests": 0, "frames": 0, "slowest_s": 0.0}
    errors = []
    with httpx.Client(base_url=url, timeout=httpx.Timeout(60, read=60)) as c:
        def call(method, path, expect=None, **kw):
            t = time.monotonic()
            r = c.request(method, path, **kw)
            counts["slowest_s"] = max(counts["slowest_s"], time.monotonic() - t)
            counts["requests"] += 1
            if expect is not None:
                if r.status_code != expect:
                    errors.append(f"{method} {path}: {r.status_code}, expected {expect}")
            elif r.status_code >= 400:
                errors.append(f"{method} {path}: {r.status_code} {r.text[:200]}")
            return r

        r = call("POST", "/api/sessions", json={"dataset": ["xor", "circle", "gauss",
                                                            "spiral"][index % 4],
                                                "networkShape": [4, 2], "seed": str(index)})
        sid = r.json()["id"]
        try:
            round_ = 0
            while not stop.is_set():
                round_ += 1
                call("POST", f"/api/sessions/{sid}/play")
                with c.stream("GET", f"/api/sessions/{sid}/events") as s:
                    counts["requests"] += 1
                    for line in s.iter_lines():
                        if line.startswith("event: frame"):
                            counts["frames"] += 1
                            if counts["frames"] % 5 == 0 or stop.is_set():
                                break
                call("PATCH", f"/api/sessions/{sid}",
                     json={"learningRate": 0.03 if round_ % 2 else 0.01})
                call("POST", f"/api/sessions/{sid}/step", json={"steps": 3})
                call("GET", f"/api/sessions/{sid}")
                call("GET", "/api")
                if round_ % 5 == 0:
                    call("POST", f"/api/sessions/{sid}/data", expect=400,
                         content=b"\x00garbage")
                    call("POST", f"/api/sessions/{sid}/reset")
        except Exception as err:  # a dropped connection is an error of the test
            errors.append(f"{type(err).__name__}: {err}")
        finally:
            r = c.delete(f"/api/sessions/{sid}")
            counts["requests"] += 1
            if r.status_code != 204:
                errors.append(f"DELETE: {r.status_code}")
    with lock:
        for k, v in counts.items():
            stats[k] = max(stats.get(k, 0), v) if k == "slowest_s" else stats.get(k, 0) + v
        stats.setdefault("errors", []).extend(errors)


@pytest.mark.slow
def test_twenty_sessions_for_thirty_seconds():
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, "-c", _SERVER], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert line.startswith("lucidnet playground: http://127.0.0.1:"), proc.stderr.read()
        url = line.split(": ", 1)[1].strip().rstrip("/")
        for _ in range(200):
            try:
                if httpx.get(url + "/api").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        stop = threading.Event()
        stats: dict = {}
        lock = threading.Lock()
        threads = [threading.Thread(target=_client, args=(url, i, stop, stats, lock))
                   for i in range(SESSIONS)]
        start = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(10.0)
        rss_10 = _rss_kib(proc.pid)
        time.sleep(max(0.0, SECONDS - (time.monotonic() - start)))
        rss_30 = _rss_kib(proc.pid)
        stop.set()
        for t in threads:
            t.join(timeout=120)
        assert not any(t.is_alive() for t in threads)
        left = httpx.get(url + "/api").json()["sessions"]
        print(f"\nload: {stats['requests']} requests, {stats['frames']} frames, "
              f"{len(stats['errors'])} errors, slowest request {stats['slowest_s']:.2f} s, RSS {rss_10 / 1024:.1f} MiB at 10 s, "
              f"{rss_30 / 1024:.1f} MiB at 30 s, sessions left {left}")
        assert stats["errors"] == []
        assert stats["frames"] > SESSIONS and stats["requests"] > 10 * SESSIONS
        assert left == 0
        assert rss_30 < rss_10 * 1.25 + 20 * 1024, (rss_10, rss_30)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
