"""Keyset pagination: every list is ordered by (sort value, id), and a page starts
strictly after the (sort value, id) of the last row seen. No OFFSET anywhere, so a
walk through all pages returns every row exactly once even when sort values tie."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, Sequence, TypeVar
from uuid import UUID

import asyncpg

from registry.db import Executor

T = TypeVar("T")

# The key of a row: (sort value, id as text). Cursors carry exactly this.
Key = tuple[Any, str]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: the items, their keys, and whether more follow."""

    items: list[T]
    keys: list[Key]
    has_next: bool


def after_condition(sort_sql: str, sort_type: str, id_sql: str, after: Key | None, params: list[Any]) -> str:
    """SQL that keeps rows strictly after ``after`` (or ``true``), appending its arguments."""
    if after is None:
        return "true"
    params.extend(after)
    n = len(params)
    return f"({sort_sql}, {id_sql}) > (${n - 1}::{sort_type}, ${n}::uuid)"


async def fetch_page(
    db: Executor,
    *,
    columns: str,
    from_sql: str,
    where: str,
    params: Sequence[Any],
    sort_sql: str,
    sort_type: str,
    id_sql: str,
    first: int,
    after: Key | None,
    build: Callable[[asyncpg.Record], T],
) -> Page[T]:
    """One keyset page of ``first`` rows of ``select columns from ... where ...``."""
    args = list(params)
    keyset = after_condition(sort_sql, sort_type, id_sql, after, args)
    args.append(first + 1)
    sql = (
        f"select {columns}, {sort_sql} as _sort from {from_sql} where ({where}) and {keyset}"
        f" order by {sort_sql}, {id_sql} limit ${len(args)}"
    )
    return page_from_rows(await db.fetch(sql, *args), first, build)


async def fetch_pages_per_owner(
    db: Executor,
    *,
    owners: Sequence[UUID],
    owner_sql: str,
    owner_key: str,
    columns: str,
    from_sql: str,
    where: str,
    params: list[Any],
    sort_sql: str,
    sort_type: str,
    id_sql: str,
    first: int,
    after: Key | None,
    build: Callable[[asyncpg.Record], T],
) -> dict[UUID, Page[T]]:
    """The same keyset page of many owners' lists (a provider's listings, a listing's
    history...) in one statement. ``params`` holds the owners' IDs as ``$1`` followed by
    the arguments of ``where``; ``owner_sql`` is the column matched against each owner."""
    args = list(params)
    keyset = after_condition(sort_sql, sort_type, id_sql, after, args)
    args.append(first + 1)
    rows = await db.fetch(
        f"select page.* from unnest($1::uuid[]) as owner(id) cross join lateral ("
        f" select {columns}, {sort_sql} as _sort from {from_sql}"
        f" where {owner_sql} = owner.id and ({where}) and {keyset}"
        f" order by {sort_sql}, {id_sql} limit ${len(args)}) page",
        *args,
    )
    grouped: dict[UUID, list[asyncpg.Record]] = {owner: [] for owner in owners}
    for row in rows:
        grouped[row[owner_key]].append(row)
    return {owner: page_from_rows(found, first, build, id_sql.rsplit(".", 1)[-1]) for owner, found in grouped.items()}


def page_from_rows(
    rows: Sequence[asyncpg.Record], first: int, build: Callable[[asyncpg.Record], T], id_key: str = "id"
) -> Page[T]:
    """Cut the extra look-ahead row off and collect the keys of the rest."""
    has_next = len(rows) > first
    rows = rows[:first]
    return Page([build(r) for r in rows], [(r["_sort"], str(r[id_key])) for r in rows], has_next)
