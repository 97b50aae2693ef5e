"""Problems found in a request: a field path, a stable code, and a message for people."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request. ``code`` is stable; portals may switch on it."""

    field: tuple[str, ...]
    code: str
    message: str


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a use case returns: the record it made or changed, or the problems that stopped
    it (then nothing was changed)."""

    value: T | None = None
    problems: tuple[Problem, ...] = ()

    @classmethod
    def refused(cls, *problems: Problem) -> "Outcome[T]":
        return cls(None, tuple(problems))

    @property
    def ok(self) -> bool:
        return not self.problems
