"""Real `microcred` processes for tests: run a command, or serve over HTTP on a free port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[2]
MICROCRED = [sys.executable, "-m", "registry.cli"]


def process_env(**overrides) -> dict[str, str]:
    """This process's environment without its database settings, plus ``overrides``."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "MICROCRED_DATA_DIR"}}
    env.update(overrides)
    return env


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`microcred ARGS` run to its end, output captured."""
    return subprocess.run([*MICROCRED, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@contextmanager
def serving(env: dict[str, str], *args: str):
    """A real `microcred serve` process; yields its base URL once it answers."""
    with serve_process(env, *args) as served:
        yield served.base


@dataclass
class Served:
    """A running `microcred serve`: its base URL, its process, and what it has printed."""

    base: str
    process: subprocess.Popen
    output: IO[str]

    def printed(self) -> str:
        self.output.seek(0)
        return self.output.read()


@contextmanager
def serve_process(env: dict[str, str], *args: str):
    """A real `microcred serve` process; yields it (Served) once it answers, and stops it
    (SIGINT, then SIGKILL) when done unless the test already has."""
    port = free_port()
    # Output to a file, not a pipe nobody reads while serving: a full pipe would block the server.
    output = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen(
        [*MICROCRED, "serve", "--port", str(port), *args],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = Served(f"http://127.0.0.1:{port}", process, output)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"serve exited early:\n{served.printed()}")
            try:
                if httpx.get(f"{served.base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError("serve did not answer within 120 s")
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        output.close()


def postgres_servers_under(folder: str) -> list[int]:
    """PIDs of PostgreSQL servers whose data folder lies under ``folder`` (a path or prefix)."""
    import psutil

    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = process.info["cmdline"] or []
        if process.info["name"] == "postgres" and "-D" in cmdline:
            data = cmdline[cmdline.index("-D") + 1] if cmdline.index("-D") + 1 < len(cmdline) else ""
            if data.startswith(folder):
                found.append(process.pid)
    return found
