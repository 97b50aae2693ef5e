"""Small helpers for writing parameterised SQL by hand."""

from __future__ import annotations

from typing import Any


class Params:
    """Collects query arguments and hands out their ``$n`` placeholders."""

    def __init__(self, *initial: Any) -> None:
        self.values: list[Any] = list(initial)

    def add(self, value: Any) -> str:
        """Append ``value`` and return its placeholder, e.g. ``$3``."""
        self.values.append(value)
        return f"${len(self.values)}"


def to_float(value: Any) -> float | None:
    """NUMERIC columns arrive as Decimal; the API speaks floats."""
    return None if value is None else float(value)
