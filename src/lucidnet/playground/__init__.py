"""``lucidnet playground``: TensorFlow Playground's ideas, trained live by lucidnet.

A local web app (Starlette + uvicorn, the extra ``lucidnet[playground]``; every asset ships in
the package, nothing is fetched from the network): pick a 2-D dataset or upload a CSV, the
features, layers, activation, optimizer, schedule, initialization and regularization, press
play, and watch the decision boundary, every neuron, the weights, the losses, the training
doctor's warnings and the formulas of the current update change, frame by frame.

* `create_app` -- the Starlette application (see `server`),
* `serve` -- run it with uvicorn on 127.0.0.1 and open the browser,
* `engine.PlaygroundSession` -- the same without a web server (data, network, frames).

Examples
--------
>>> from lucidnet.playground import create_app
>>> app = create_app()
>>> any(r.path == "/api" for r in app.routes)
True
"""

from __future__ import annotations

import socket
import sys
import threading
import time

try:
    import starlette  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as err:  # pragma: no cover - depends on the installed extras
    raise ImportError(f"lucidnet playground needs Starlette and uvicorn ({err}); install them "
                      f"with: pip install 'lucidnet[playground]'") from None

from .server import create_app

__all__ = ["create_app", "serve"]


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port} ({err.strerror or err}); choose another "
                      f"--port (0 picks a free one) or --host") from None
    sock.listen(128)
    return sock


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = True, *,
          app=None, log_level: str = "warning") -> None:
    """Serve the playground until Ctrl-C.

    Parameters
    ----------
    host : str
        Interface to bind (default 127.0.0.1: this machine only).
    port : int
        TCP port; 0 picks a free one. The URL is printed as one line
        ``lucidnet playground: http://HOST:PORT/``.
    open_browser : bool
        Open the page with `webbrowser.open` (in a thread, once the server is up).
    app : Starlette, optional
        Default `create_app()`.
    log_level : str
        uvicorn's log level.

    Raises
    ------
    OSError
        The address cannot be bound (port in use, unknown host).

    Examples
    --------
    >>> from lucidnet.playground import serve
    >>> import inspect
    >>> list(inspect.signature(serve).parameters)[:3]
    ['host', 'port', 'open_browser']
    """
    import uvicorn

    sock = _bind(host, int(port))
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/"
    config = uvicorn.Config(app if app is not None else create_app(), log_level=log_level,
                            lifespan="on")
    server = uvicorn.Server(config)
    print(f"lucidnet playground: {url}", flush=True)
    if open_browser:
        def _open():
            while not server.started and not server.should_exit:
                time.sleep(0.05)
            if server.started:
                import webbrowser

                webbrowser.open(url)
        threading.Thread(target=_open, name="playground-browser", daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        sys.stdout.flush()
