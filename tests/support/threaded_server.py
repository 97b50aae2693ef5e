"""The registry served over real HTTP by uvicorn on a thread of the test process.

For tests that need a registry at a URL (another registry to harvest, a source to mirror) but
not a process of its own: a `microcred serve` process spends seconds importing before it
answers, a thread a fraction of one. Tests about the process itself (signals, its embedded
PostgreSQL, a crash) start the real command (tests/support/processes.py)."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from registry.app import create_app
from registry.config import Settings
from tests.support.apps import SETTINGS
from tests.support.processes import free_port


@contextmanager
def serving_in_thread(dsn: str, settings: Settings = SETTINGS) -> Iterator[str]:
    """The registry on ``dsn`` serving at a free loopback port; yields its base URL once it
    answers, and stops it (lifespan shutdown included) when done."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # Like `microcred serve`, the OAuth issuer is the address served.
    app = create_app(dataclasses.replace(settings, issuer=base), dsn)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, name=f"registry-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise AssertionError(f"the registry on {dsn} did not start serving")
            time.sleep(0.02)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)
