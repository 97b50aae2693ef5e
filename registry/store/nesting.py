"""Rows hanging off an owner row (a listing's skills, its recognitions...) carried in one array
column of the owner's row, so that one statement brings a listing and everything asked of it.

A :class:`Nested` is written once and used two ways: on its own, for a batch of owners (what a
DataLoader fetches), and as a column of a bigger statement (``store.listing_bundles``). The
rows travel as anonymous records, which asyncpg decodes in PostgreSQL's binary format with the
connection's codecs (jsonb included), then are named after the select list here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Callable, Generic, Mapping, Sequence, TypeVar
from uuid import UUID

from registry.db import Executor

T = TypeVar("T")

OWNER = "{owner}"  # stands for the owner's ID column in a Nested's ``rest``


@cache
def named_columns(select_list: str) -> tuple[tuple[str, str], ...]:
    """``"s.id, a.kind::text as kind"`` as ``(("id", "s.id"), ("kind", "a.kind::text"))``."""
    parts, depth, start = [], 0, 0
    for at, char in enumerate(select_list):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(select_list[start:at])
            start = at + 1
    parts.append(select_list[start:])
    named = []
    for part in (p.strip() for p in parts):
        expression, _, alias = part.rpartition(" as ")
        if not expression:
            expression, alias = part, part.rsplit(".", 1)[-1]
        if not alias.isidentifier():
            raise ValueError(f"cannot name the column {part!r}: give it an alias")
        named.append((alias, expression))
    return tuple(named)


@dataclass(frozen=True)
class Nested(Generic[T]):
    """``select columns rest`` for each owner, as one array of records.

    ``rest`` is the sub-select after its select list (from, where, order by, limit) and says
    ``{owner}`` where it matches the owner's ID; ``build`` makes a record of each row.
    """

    columns: str
    rest: str
    build: Callable[[Mapping[str, Any]], T]

    def sql(self, owner: str) -> str:
        """The array column, correlated with the owner's ID column ``owner``."""
        values = ", ".join(expression for _, expression in named_columns(self.columns))
        return f"array(select row({values}) {self.rest.replace(OWNER, owner)})"

    def records(self, rows: Sequence[tuple[Any, ...]]) -> list[T]:
        """The records of the array column's value."""
        names = [name for name, _ in named_columns(self.columns)]
        return [self.build(dict(zip(names, row))) for row in rows]


async def per_owner(
    db: Executor, owners: Sequence[UUID], nested: Nested[T], params: Sequence[Any] = ()
) -> dict[UUID, list[T]]:
    """Each owner's rows, in one statement. ``$1`` is the owners' IDs; ``params`` follow it."""
    rows = await db.fetch(
        f"select _owner.id, {nested.sql('_owner.id')} as rows from unnest($1::uuid[]) as _owner(id)",
        list(owners),
        *params,
    )
    return {row["id"]: nested.records(row["rows"]) for row in rows}
