"""Shared fixtures of the playground tests: the real uvicorn server on a free port."""

from __future__ import annotations

import socket
import threading
import time

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("httpx")


class _Server:
    """uvicorn serving ``app`` on 127.0.0.1 in a background thread."""

    def __init__(self, app):
        import uvicorn

        self.app = app
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run,
                                       kwargs={"sockets": [self.sock]}, daemon=True)

    def start(self):
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the playground server did not start")
            time.sleep(0.02)
        return self

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()


def start_server(**app_options) -> _Server:
    """Start the playground app (``create_app(**app_options)``) on a free port."""
    from lucidnet.playground import create_app

    return _Server(create_app(**app_options)).start()


@pytest.fixture(scope="module")
def playground_server():
    """The base URL (``http://127.0.0.1:PORT``, no trailing slash) of a real playground
    server running in a background thread for the module's tests."""
    server = start_server()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def playground_app_server():
    """Like `playground_server`, but yields the `_Server` (``.url``, ``.app`` with
    ``app.state.store``) for tests that look inside."""
    server = start_server()
    try:
        yield server
    finally:
        server.stop()
