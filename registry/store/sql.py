"""Small helpers for writing parameterised SQL by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg

from registry.db import Executor


class Params:
    """Collects query arguments and hands out their ``$n`` placeholders."""

    def __init__(self, *initial: Any) -> None:
        self.values: list[Any] = list(initial)
        self._once: dict[str, str] = {}

    def add(self, value: Any) -> str:
        """Append ``value`` and return its placeholder, e.g. ``$3``."""
        self.values.append(value)
        return f"${len(self.values)}"

    def once(self, name: str, make: Callable[[], Any]) -> str:
        """The placeholder of the value ``name``, read in several places of one statement:
        ``make()`` is added the first time it is asked for."""
        if name not in self._once:
            self._once[name] = self.add(make())
        return self._once[name]


def to_float(value: Any) -> float | None:
    """NUMERIC columns arrive as Decimal; the API speaks floats."""
    return None if value is None else float(value)


async def fetch_one(db: Executor, sql: str, *args: Any) -> asyncpg.Record:
    """The row of a statement that always returns one (INSERT ... RETURNING, a select of
    aggregates, an update of a row the caller locked); none at all is a bug."""
    row = await db.fetchrow(sql, *args)
    if row is None:
        raise LookupError(f"expected a row, got none from: {' '.join(sql.split())[:120]}")
    return row
