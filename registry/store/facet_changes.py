"""What the facet index reads: every listing's values in each dimension, or those of the
listings changed since a snapshot.

A listing's values are the SQL expressions the facets count (`store.search.FACET_VALUES`),
plus its status, whether it is fundable and the recognitions in force today: one statement of
the rules, whichever way the counting is done.

Rows are stamped with the transaction that last wrote them (`changed_xid`, migration 0020).
The rows changed since a PostgreSQL snapshot are those whose transaction that snapshot did not
see: begun at or after its `xmax`, or in progress when it was taken (its `xip` list), so the
question is two index lookups, and the answer is exact whatever order transactions commit in.
"""

from __future__ import annotations

import sys
from array import array
from dataclasses import dataclass
from datetime import date

import orjson

from registry.db import Database, Executor
from registry.domain.facet_index import DIMENSIONS, FUNDABLE, RECOGNIZED, STATUS, YES, Listing
from registry.domain.records import LanguageMap
from registry.domain.search import SearchRequest, Visibility
from registry.store import search
from registry.store.recognitions import ACTIVE
from registry.store.sql import Params, fetch_one

_IN_FORCE = f"from recognitions r where r.credential_id = c.id and {ACTIVE}"
_NONE = "'{}'::text[]"
# Dimension -> the listing's values in it (a text array), for the listing `c`.
VALUES: dict[str, str] = {
    **search.FACET_VALUES,
    "recognitionKind": f"array(select distinct r.kind::text {_IN_FORCE})",
    "recognizedBy": f"array(select distinct r.authority_id::text {_IN_FORCE})",
    STATUS: "array[c.status::text]",
    FUNDABLE: f"case when cardinality(c.funding_programs) > 0 then array['{YES}'] else {_NONE} end",
    RECOGNIZED: f"case when exists (select 1 {_IN_FORCE}) then array['{YES}'] else {_NONE} end",
}
assert set(VALUES) == set(DIMENSIONS), "every dimension of the index has its SQL"
_LISTING = ", ".join(VALUES[dimension] for dimension in DIMENSIONS)
_LAST_XID = 2**64 - 1
_NAMES = """select p.id::text, p.name::text from providers p {providers}
  union all select a.id::text, a.name::text from recognition_authorities a {authorities}"""


@dataclass(frozen=True)
class Snapshot:
    """A PostgreSQL snapshot (`pg_snapshot`): transactions below ``xmax`` and not in ``xip``
    had committed (or aborted) when it was taken; the others had not."""

    text: str
    xmax: int
    xip: frozenset[int]

    @classmethod
    def parse(cls, text: str) -> Snapshot:
        _, xmax, xip = text.split(":")
        return cls(text, int(xmax), frozenset(int(x) for x in xip.split(",") if x))

    def sees_all_of(self, other: Snapshot) -> bool:
        """Whether every transaction ``other`` saw committed is committed in this one too
        (this one was taken later on the same server). False when unsure."""
        return self.xmax >= other.xmax and all(x >= other.xmax or x in other.xip for x in self.xip)


@dataclass(frozen=True)
class Matching:
    """The listings a search's text and SQL-only filters find, for ``viewer``."""

    request: SearchRequest
    viewer: Visibility
    mode: search.MatchMode


@dataclass(frozen=True)
class Changes:
    """What changed after ``since``, as of ``snapshot`` (taken by the same statement).
    ``listings`` is None when more than the limit changed (read them all again)."""

    snapshot: Snapshot
    today: date
    listings: list[tuple[int, Listing]] | None  # (ordinal, values)
    names: dict[str, LanguageMap]
    ordinals: list[int] | None  # those the Matching found, when one was given


def _listing(row: tuple[object, ...]) -> tuple[int, Listing]:
    ordinal, *values = row
    assert isinstance(ordinal, int)
    return ordinal, dict(zip(DIMENSIONS, values))  # type: ignore[arg-type]


async def everything(db: Database) -> tuple[Snapshot, date, list[tuple[str, str, array[int]]], dict[str, LanguageMap]]:
    """(the snapshot read at, its date, (dimension, value, ordinals) for every value any
    listing has, every party's name by ID), all from one snapshot.

    One grouped statement per dimension (a single statement grouping all of them is slower);
    the recognitions in force are grouped from their own table rather than looked up for
    each listing. Ordinals come packed, four bytes each: as Python lists, a million listings'
    values took 700 MB while the index was built."""
    async with db.transaction(isolation="repeatable_read") as tx:
        row = await fetch_one(tx, "select pg_current_snapshot()::text as s, current_date as today")
        sets: list[tuple[str, str, array[int]]] = []
        for dimension in DIMENSIONS:
            source = _IN_FORCE_BY.get(dimension) or f"credentials c cross join unnest({VALUES[dimension]}) v"
            rows = await tx.fetch(f"select v, {_PACKED} from {source} group by v")
            sets += [(dimension, value, _unpacked(packed)) for value, packed in rows]
        parties = await names(tx)
    return Snapshot.parse(row["s"]), row["today"], sets, parties


# The recognition dimensions' values, grouped over the recognitions in force (VALUES has them
# per listing, for the few listings a count reads).
_IN_FORCE_JOIN = f"recognitions r join credentials c on c.id = r.credential_id where {ACTIVE}"
_IN_FORCE_BY = {
    "recognitionKind": f"(select distinct r.kind::text as v, c.ordinal from {_IN_FORCE_JOIN}) c",
    "recognizedBy": f"(select distinct r.authority_id::text as v, c.ordinal from {_IN_FORCE_JOIN}) c",
    RECOGNIZED: f"(select distinct '{YES}' as v, c.ordinal from {_IN_FORCE_JOIN}) c",
}
_PACKED = "string_agg(int4send(c.ordinal), ''::bytea)"  # big-endian int4s, back to back


def _unpacked(packed: bytes) -> array[int]:
    ordinals = array("I")  # unsigned: pyroaring reads the buffer as it is
    ordinals.frombytes(packed)
    if sys.byteorder == "little":
        ordinals.byteswap()
    return ordinals


async def names(db: Executor) -> dict[str, LanguageMap]:
    """Every provider's and authority's name, by ID."""
    rows = await db.fetch(_NAMES.format(providers="", authorities=""))
    return {row[0]: orjson.loads(row[1]) for row in rows}


def unseen_params(snapshot: Snapshot) -> Params:
    """The parameters ``unseen`` reads ($1 and $2): ``snapshot``'s xmax and in-progress list."""
    return Params(str(snapshot.xmax), [str(x) for x in snapshot.xip])


def unseen(column: str) -> str:
    """SQL: the row's ``column`` (a `changed_xid`) names a transaction that the snapshot of
    ``unseen_params`` did not see committed."""
    # Bounded on both sides so that the planner reads the index even before the table has
    # statistics for the column (an open range is guessed at a third of the table).
    return f"({column} between $1::text::xid8 and '{_LAST_XID}'::xid8 or {column} = any($2::text[]::xid8[]))"


async def since(db: Executor, snapshot: Snapshot, limit: int, matching: Matching | None = None) -> Changes:
    """The listings (up to ``limit``) and names changed since ``snapshot``, and the ordinals
    ``matching`` finds, in one statement."""
    p = unseen_params(snapshot)
    over = p.add(limit + 1)  # each side stops there: more than the limit is all it needs to know
    ordinals = "null::int[]"
    if matching is not None:
        ordinals = search.matching_ordinals(matching.request, matching.viewer, matching.mode, p)
    names_sql = _NAMES.format(
        providers=f"where {unseen('p.changed_xid')}", authorities=f"where {unseen('a.changed_xid')}"
    )
    row = await fetch_one(
        db,
        f"""select pg_current_snapshot()::text as snapshot, current_date as today,
          (select array_agg(row(c.ordinal, {_LISTING})) from credentials c where c.id in (
             (select c2.id from credentials c2 where {unseen("c2.changed_xid")} limit {over})
             union
             (select r.credential_id from recognitions r where {unseen("r.changed_xid")} limit {over}))
          ) as listings,
          (select array_agg(row(n.*)) from ({names_sql}) n) as names,
          {ordinals} as ordinals""",
        *p.values,
    )
    listings = [_listing(r) for r in row["listings"] or ()]
    return Changes(
        Snapshot.parse(row["snapshot"]),
        row["today"],
        None if len(listings) > limit else listings,
        {party_id: orjson.loads(name) for party_id, name in row["names"] or ()},
        row["ordinals"],
    )
