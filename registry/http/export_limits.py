"""How many export downloads one caller may have running at once in this process.

A caller is the OAuth client of a valid bearer token, else the IP address the request came
from (behind a load balancer, run uvicorn with its proxy headers trusted so that this is the
caller's). Downloads hold no database connection, only a file descriptor and a little
memory of this process, which is why the count is kept here, in memory, per process: it is
exact, costs nothing, and a process that dies takes its counts with it.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from starlette.types import Scope

from auth.resource import SCOPE_KEY

RETRY_AFTER_SECONDS = 5  # a download of the full export takes seconds to minutes


def caller_of(scope: Scope) -> tuple[str, str]:
    """(kind, key) of who sent a request: ("client", client id) or ("anonymous", IP address)."""
    access = scope.get(SCOPE_KEY)
    if access is not None:
        return "client", access.client_id
    client = scope.get("client")
    return "anonymous", client[0] if client else "unknown"


class ConcurrencyLimit:
    """At most ``per_caller`` slots held at once by each caller."""

    def __init__(self, per_caller: int) -> None:
        self.per_caller = per_caller
        self.held: dict[tuple[str, str], int] = {}

    @contextmanager
    def slot(self, caller: tuple[str, str]) -> Iterator[bool]:
        """Yields whether ``caller`` got a slot; a slot it got is given back on leaving."""
        if self.held.get(caller, 0) >= self.per_caller:
            yield False
            return
        self.held[caller] = self.held.get(caller, 0) + 1
        try:
            yield True
        finally:
            left = self.held[caller] - 1
            if left:
                self.held[caller] = left
            else:
                del self.held[caller]  # no entry per address ever seen: only those downloading now
