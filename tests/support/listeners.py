"""Real TCP listeners for tests that must prove nothing connected to them."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

ACCEPT_POLL_SECONDS = 0.05


class ConnectionRecorder:
    """A TCP listener on one local address that records every connection and answers nothing.

    Counting connections, not requests, catches a TLS handshake or a plain HTTP request alike:
    any packet that got through is one too many."""

    def __init__(self, host: str) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.bind((host, 0))
        self._socket.listen()
        # Polling lets close() stop the thread without a connection to wake it up.
        self._socket.settimeout(ACCEPT_POLL_SECONDS)
        self.port: int = self._socket.getsockname()[1]
        self.peers: list[str] = []  # the address of each client that connected
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept_all, daemon=True)
        self._thread.start()

    def _accept_all(self) -> None:
        """Accept, record and drop connections until closed."""
        while not self._stopping.is_set():
            try:
                connection, peer = self._socket.accept()
            except TimeoutError:
                continue
            self.peers.append(peer[0])
            connection.close()

    def close(self) -> None:
        """Stop accepting and free the port."""
        self._stopping.set()
        self._thread.join()
        self._socket.close()


@contextmanager
def recording_listener(host: str) -> Iterator[ConnectionRecorder]:
    """A ConnectionRecorder on ``host`` (a free port), closed on leaving."""
    recorder = ConnectionRecorder(host)
    try:
        yield recorder
    finally:
        recorder.close()


def ipv6_loopback_available() -> bool:
    """Whether this machine can listen on ::1 (containers sometimes cannot)."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False
