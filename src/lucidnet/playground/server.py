"""The playground's HTTP server: Starlette routes over `engine.PlaygroundSession`, frames as
Server-Sent Events.

Sessions live in memory (`SessionStore`) and expire after ``session_ttl`` seconds without a
request (an open event stream counts as activity). A playing session trains in its own thread,
at most ``max_fps`` frames per second; at most ``workers`` sessions compute at the same moment
(a semaphore), so many sessions share the cores instead of starving the server. Pausing ends the
thread: nothing is computed while paused.

Examples
--------
>>> from lucidnet.playground.server import create_app
>>> app = create_app()
>>> sorted({r.path for r in app.routes} & {"/api", "/api/sessions"})
['/api', '/api/sessions']
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import threading
import time
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import engine, export, urlstate
from .csvdata import MAX_BYTES, csv_columns, parse_csv
from .presets import list_presets

__all__ = ["LiveSession", "SessionStore", "create_app"]

STATIC_DIR = Path(__file__).with_name("static")


class ApiError(Exception):
    """An error answered as ``{"error": message}`` with an HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class LiveSession:
    """A `PlaygroundSession` with its playing thread, latest frame and activity time.

    Parameters
    ----------
    session : PlaygroundSession
    sid : str
        Its id in the URL.
    store : SessionStore
        The owner (its semaphore and frame rate).

    Examples
    --------
    >>> from lucidnet.playground.server import SessionStore
    >>> store = SessionStore()
    >>> live = store.create({"networkShape": [2]})
    >>> live.state()["running"], live.state()["frame"]["step"]
    (False, 0)
    """

    def __init__(self, session, sid: str, store: SessionStore):
        self.session = session
        self.id = sid
        self.store = store
        self.running = False
        self.thread: threading.Thread | None = None
        self.frame_json: str | None = None
        self.frame_key = None
        self.frame_version = 0
        self.state_version = 0
        self.last_access = time.monotonic()
        self.lock = threading.Lock()  # guards running / thread / frame fields

    def touch(self) -> None:
        """Mark activity (postpones expiry)."""
        self.last_access = time.monotonic()

    def _key(self):
        return (self.session.steps, self.state_version)

    def frame(self) -> str:
        """The latest frame as JSON text (computed now if the network changed since)."""
        with self.session.lock:
            key = self._key()
            if self.frame_json is None or self.frame_key != key:
                text = json.dumps(self.session.frame(), allow_nan=False)
                with self.lock:
                    self.frame_json, self.frame_key = text, key
                    self.frame_version += 1
            return self.frame_json

    def state(self, with_frame: bool = True) -> dict:
        """The State JSON of the contract (as a dict)."""
        s = self.session
        with s.lock:
            out = {"id": self.id, "config": dict(s.config),
                   "hash": urlstate.format_hash(s.config), "running": self.running,
                   "steps": s.steps, "diverged": s.diverged,
                   "losses": {k: engine._num(v) for k, v in s.current_losses.items()},
                   "data": s.data_json()}
            if with_frame:
                out["frame"] = json.loads(self.frame())
        return out

    def changed(self) -> None:
        """The configuration changed: event streams send a new ``state`` event."""
        self.state_version += 1

    # -- playing
    def play(self) -> None:
        """Start the training thread (no-op if already playing or diverged)."""
        with self.lock:
            if self.running or self.session.diverged:
                return
            self.running = True
            self.thread = threading.Thread(target=self._loop, name=f"playground-{self.id}",
                                           daemon=True)
            self.thread.start()
        self.changed()

    def pause(self, wait: bool = True) -> None:
        """Stop the training thread; with ``wait`` return once it has stopped computing."""
        with self.lock:
            self.running = False
            thread = self.thread
            self.thread = None
        if wait and thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)
        self.changed()

    def _loop(self) -> None:
        period = 1.0 / self.store.max_fps
        s = self.session
        while self.running:
            start = time.monotonic()
            with self.store.compute:
                if not self.running:
                    break
                # one epoch per frame (TF Playground), cut short after the frame budget
                todo = s.steps_per_epoch
                while todo > 0 and self.running:
                    s.step(1)
                    todo -= 1
                    if s.diverged or time.monotonic() - start > period:
                        break
                if self.running:
                    self.frame()
            if s.diverged:
                with self.lock:
                    self.running = False
                self.changed()
                break
            rest = period - (time.monotonic() - start)
            if rest > 0:
                time.sleep(rest)


class SessionStore:
    """All live sessions, by id, with expiry and a cap on simultaneous training.

    Parameters
    ----------
    session_ttl : float
        Seconds without a request after which a session is dropped (default 600).
    max_fps : float
        Frames per second of one playing session at most (default 30).
    workers : int
        Sessions computing at the same moment at most (default 2).
    max_sessions : int
        New sessions beyond this are refused (HTTP 503).

    Examples
    --------
    >>> from lucidnet.playground.server import SessionStore
    >>> store = SessionStore()
    >>> live = store.create({})
    >>> store.get(live.id) is live, len(store)
    (True, 1)
    >>> store.delete(live.id); len(store)
    0
    """

    def __init__(self, session_ttl: float = 600.0, max_fps: float = 30.0, workers: int = 2,
                 max_sessions: int = 500):
        self.session_ttl = float(session_ttl)
        self.max_fps = float(max_fps)
        self.compute = threading.BoundedSemaphore(int(workers))
        self.max_sessions = int(max_sessions)
        self.sessions: dict[str, LiveSession] = {}
        self.lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.sessions)

    def create(self, config: dict | None) -> LiveSession:
        """A new session from a (partial) configuration."""
        with self.lock:
            if len(self.sessions) >= self.max_sessions:
                raise ApiError(503, f"{len(self.sessions)} sessions are open, the most this "
                                    f"server keeps; delete some or wait for idle ones to expire")
        session = engine.PlaygroundSession(config)
        sid = secrets.token_hex(6)
        live = LiveSession(session, sid, self)
        with self.lock:
            self.sessions[sid] = live
        return live

    def get(self, sid: str) -> LiveSession:
        """The session ``sid`` (ApiError 404 if there is none); marks it active."""
        live = self.sessions.get(sid)
        if live is None:
            raise ApiError(404, f"no session {sid!r} (it expired or was deleted); create one "
                                f"with POST /api/sessions")
        live.touch()
        return live

    def delete(self, sid: str) -> None:
        """Stop and drop the session ``sid`` (no error if it is gone already)."""
        with self.lock:
            live = self.sessions.pop(sid, None)
        if live is not None:
            live.pause(wait=False)

    def expire(self, now: float | None = None) -> list:
        """Drop the sessions idle longer than ``session_ttl``; returns their ids."""
        now = time.monotonic() if now is None else now
        old = [sid for sid, live in list(self.sessions.items())
               if now - live.last_access > self.session_ttl]
        for sid in old:
            self.delete(sid)
        return old

    def close(self) -> None:
        """Stop every session."""
        for sid in list(self.sessions):
            self.delete(sid)


# ----------------------------------------------------------------------------- helpers
def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _json_body(request: Request, default=None):
    raw = await request.body()
    if not raw.strip():
        return {} if default is None else default
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ApiError(400, f"the request body is not valid JSON ({err}); send a JSON object "
                            f"like {{\"dataset\": \"xor\"}}") from None
    if not isinstance(body, dict):
        raise ApiError(400, f"the request body must be a JSON object, got "
                            f"{type(body).__name__}")
    return body


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("lucidnet")
    except Exception:  # not installed as a distribution (a source checkout)
        return "unknown"


ENDPOINTS = [
    "GET /", "GET /static/{file}", "GET /api", "GET /api/presets", "POST /api/csv/columns",
    "POST /api/sessions", "GET /api/sessions/{id}", "PATCH /api/sessions/{id}",
    "DELETE /api/sessions/{id}", "POST /api/sessions/{id}/play",
    "POST /api/sessions/{id}/pause", "POST /api/sessions/{id}/reset",
    "POST /api/sessions/{id}/step", "GET /api/sessions/{id}/events",
    "POST /api/sessions/{id}/data", "GET /api/sessions/{id}/export.py",
    "GET /api/sessions/{id}/model.npz",
]


# ----------------------------------------------------------------------------- the app
def create_app(static_dir: str | Path | None = None, *, session_ttl: float = 600.0,
               max_fps: float = 30.0, workers: int = 2, ping_seconds: float = 15.0) -> Starlette:
    """The playground's Starlette application (routes of docs' playground API contract).

    Parameters
    ----------
    static_dir : path, optional
        The front end (``index.html``, ``app.js``, ``style.css``); default the package's
        ``static`` folder.
    session_ttl, max_fps, workers : see `SessionStore`.
    ping_seconds : float
        An idle event stream sends a ``: ping`` comment this often.

    Returns
    -------
    starlette.applications.Starlette
        With ``app.state.store`` the `SessionStore`.

    Examples
    --------
    >>> from lucidnet.playground.server import create_app
    >>> app = create_app()
    >>> type(app.state.store).__name__
    'SessionStore'
    """
    static = Path(static_dir) if static_dir is not None else STATIC_DIR
    store = SessionStore(session_ttl=session_ttl, max_fps=max_fps, workers=workers)

    async def index(request):
        page = static / "index.html"
        if not page.is_file():
            return Response("lucidnet playground: the front end (static/index.html) is missing",
                            status_code=404, media_type="text/plain")
        return FileResponse(page, media_type="text/html")

    async def api_index(request):
        return JSONResponse({
            "name": "lucidnet playground", "version": _version(), "endpoints": ENDPOINTS,
            "presets": [p["name"] for p in list_presets()],
            "options": {"activation": engine.ACTIVATION_NAMES,
                        "optimizer": engine.OPTIMIZER_NAMES,
                        "schedule": engine.SCHEDULE_NAMES, "init": engine.INIT_NAMES,
                        "dataset": list(engine.CLASSIFY_DATASETS),
                        "regDataset": list(engine.REGRESS_DATASETS),
                        "regularization": ["none", "L1", "L2"],
                        "problem": ["classification", "regression"],
                        "features": list(engine.FEATURES)},
            "defaults": engine.DEFAULTS, "max_parameters": engine.MAX_PARAMETERS,
            "sessions": len(store)})

    async def presets(request):
        return JSONResponse([{k: p[k] for k in ("name", "title", "description", "config",
                                                 "steps")} for p in list_presets()])

    async def create(request):
        body = await _json_body(request)
        live = await run_in_threadpool(store.create, body)
        state = await run_in_threadpool(live.state)
        if live.session.config["autoplay"]:
            live.play()
            state["running"] = True
        return JSONResponse(state, status_code=201)

    async def get_state(request):
        live = store.get(request.path_params["sid"])
        return JSONResponse(await run_in_threadpool(live.state))

    async def patch(request):
        live = store.get(request.path_params["sid"])
        body = await _json_body(request)
        await run_in_threadpool(live.session.update, body)  # a playing session keeps playing
        live.changed()
        return JSONResponse(await run_in_threadpool(live.state))

    async def delete(request):
        store.get(request.path_params["sid"])
        store.delete(request.path_params["sid"])
        return Response(status_code=204)

    async def play(request):
        live = store.get(request.path_params["sid"])
        live.play()
        return JSONResponse(await run_in_threadpool(live.state))

    async def pause(request):
        live = store.get(request.path_params["sid"])
        await run_in_threadpool(live.pause)
        return JSONResponse(await run_in_threadpool(live.state))

    async def reset(request):
        live = store.get(request.path_params["sid"])
        await run_in_threadpool(live.session.reset)
        live.changed()
        return JSONResponse(await run_in_threadpool(live.state))

    async def step(request):
        live = store.get(request.path_params["sid"])
        body = await _json_body(request)
        unknown = set(body) - {"steps", "epochs"}
        if unknown:
            raise ApiError(400, f"unknown key(s) {', '.join(sorted(unknown))}; send "
                                f"{{\"steps\": n}} or {{\"epochs\": n}}")
        kw = {}
        for key in ("steps", "epochs"):
            if key in body:
                v = body[key]
                if isinstance(v, bool) or not isinstance(v, int) or v < 0 or v > 1_000_000:
                    raise ApiError(400, f"{key} must be an integer in [0, 1000000], got {v!r}")
                kw[key] = v
        await run_in_threadpool(live.pause)
        await run_in_threadpool(lambda: live.session.step(**kw) if kw else live.session.step(1))
        return JSONResponse(await run_in_threadpool(live.state))

    async def upload(request):
        live = store.get(request.path_params["sid"])
        raw = await _read_limited(request)
        q = request.query_params
        data = await run_in_threadpool(parse_csv, raw, q.get("x1"), q.get("x2"), q.get("target"))
        await run_in_threadpool(live.pause)
        await run_in_threadpool(live.session.set_csv, data)
        live.changed()
        return JSONResponse(await run_in_threadpool(live.state))

    async def columns(request):
        raw = await _read_limited(request)
        return JSONResponse({"columns": await run_in_threadpool(csv_columns, raw)})

    async def export_py(request):
        live = store.get(request.path_params["sid"])
        text = await run_in_threadpool(export.export_script, live.session)
        return Response(text, media_type="text/x-python", headers={
            "Content-Disposition": 'attachment; filename="playground_run.py"'})

    async def model_npz(request):
        live = store.get(request.path_params["sid"])
        data = await run_in_threadpool(export.model_bytes, live.session)
        return Response(data, media_type="application/octet-stream", headers={
            "Content-Disposition": 'attachment; filename="model.npz"'})

    async def events(request):
        live = store.get(request.path_params["sid"])

        async def stream():
            sent_frame, sent_state = -1, -1
            last_send = time.monotonic()
            last_check = 0.0
            while live.id in store.sessions:
                now = time.monotonic()
                live.touch()
                if now - last_check > 1.0:
                    last_check = now
                    if await request.is_disconnected():
                        break
                if live.state_version != sent_state:
                    sent_state = live.state_version
                    state = await run_in_threadpool(live.state, False)
                    yield f"event: state\ndata: {json.dumps(state)}\n\n"
                    last_send = now
                if live.frame_version != sent_frame and live.frame_json is not None:
                    sent_frame = live.frame_version
                    yield f"event: frame\ndata: {live.frame_json}\n\n"
                    last_send = now
                elif now - last_send > ping_seconds:
                    yield ": ping\n\n"
                    last_send = now
                await asyncio.sleep(0.5 / max_fps if live.running else 0.1)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    async def _read_limited(request: Request) -> bytes:
        size = request.headers.get("content-length")
        if size is not None and size.isdigit() and int(size) > MAX_BYTES:
            raise ApiError(413, f"the upload has {int(size):,} bytes, more than the "
                                f"{MAX_BYTES:,} the playground reads; send fewer rows")
        chunks, total = [], 0
        async for chunk in request.stream():
            total += len(chunk)
            if total > MAX_BYTES:
                raise ApiError(413, f"the upload is larger than {MAX_BYTES:,} bytes; send "
                                    f"fewer rows")
            chunks.append(chunk)
        return b"".join(chunks)

    async def on_api_error(request, exc):
        return _error(exc.status, exc.message)

    async def on_value_error(request, exc):
        return _error(400, str(exc))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        async def reaper():
            while True:
                await asyncio.sleep(max(1.0, min(30.0, store.session_ttl / 4)))
                store.expire()

        task = asyncio.create_task(reaper())
        try:
            yield
        finally:
            task.cancel()
            store.close()

    sid = "/api/sessions/{sid}"
    routes = [
        Route("/", index),
        Route("/index.html", index),
        Route("/api", api_index),
        Route("/api/presets", presets),
        Route("/api/csv/columns", columns, methods=["POST"]),
        Route("/api/sessions", create, methods=["POST"]),
        Route(sid, get_state, methods=["GET"]),
        Route(sid, patch, methods=["PATCH"]),
        Route(sid, delete, methods=["DELETE"]),
        Route(sid + "/play", play, methods=["POST"]),
        Route(sid + "/pause", pause, methods=["POST"]),
        Route(sid + "/reset", reset, methods=["POST"]),
        Route(sid + "/step", step, methods=["POST"]),
        Route(sid + "/events", events),
        Route(sid + "/data", upload, methods=["POST"]),
        Route(sid + "/export.py", export_py),
        Route(sid + "/model.npz", model_npz),
    ]
    if static.is_dir():
        routes.append(Mount("/static", app=StaticFiles(directory=str(static)), name="static"))
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={ApiError: on_api_error, ValueError: on_value_error})
    app.state.store = store
    return app

