"""Problems found in a request: a field path, a stable code, and a message for people."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request. ``code`` is stable; portals may switch on it."""

    field: tuple[str, ...]
    code: str
    message: str


class InvalidRequest(Exception):
    """A request broke one or more rules; nothing was read or changed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems
