"""Skills and occupations: the taxonomies listings are tagged with."""

from __future__ import annotations

from typing import Any, Mapping, Sequence
from uuid import UUID

from registry.db import Executor
from registry.domain.records import Occupation, Skill
from registry.store.paging import Key, Page, fetch_page

SKILL_COLUMNS = "s.id, s.scheme, s.code, s.label"
OCCUPATION_COLUMNS = "o.id, o.scheme, o.code, o.title"

# Matches a word anywhere in any language of the label (trigram-indexed), or the exact code.
_SKILL_MATCH = (
    "($1::text is null or s.label_text like '%' || lower(f_unaccent($1)) || '%' or lower(s.code) = lower($1))"
)


def build_skill(row: Mapping[str, Any]) -> Skill:
    """A Skill record from a row selected with SKILL_COLUMNS."""
    return Skill(row["id"], row["scheme"], row["code"], row["label"])


def build_occupation(row: Mapping[str, Any]) -> Occupation:
    """An Occupation record from a row selected with OCCUPATION_COLUMNS."""
    return Occupation(row["id"], row["scheme"], row["code"], row["title"])


async def skills_by_ids(db: Executor, ids: Sequence[UUID]) -> dict[UUID, Skill]:
    """The skills with these IDs, keyed by ID."""
    rows = await db.fetch(f"select {SKILL_COLUMNS} from skills s where s.id = any($1::uuid[])", list(ids))
    return {row["id"]: build_skill(row) for row in rows}


async def occupations_by_ids(db: Executor, ids: Sequence[UUID]) -> dict[UUID, Occupation]:
    """The occupations with these IDs, keyed by ID."""
    rows = await db.fetch(f"select {OCCUPATION_COLUMNS} from occupations o where o.id = any($1::uuid[])", list(ids))
    return {row["id"]: build_occupation(row) for row in rows}


async def skills_page(db: Executor, *, query: str | None, first: int, after: Key | None) -> Page[Skill]:
    """Skills alphabetically by English label, optionally matching ``query``."""
    return await fetch_page(
        db,
        columns=SKILL_COLUMNS,
        from_sql="skills s",
        where=_SKILL_MATCH,
        params=[query],
        sort_sql="lower(f_unaccent(pick_lang(s.label, 'en')))",
        sort_type="text",
        id_sql="s.id",
        first=first,
        after=after,
        build=build_skill,
    )


async def skills_count(db: Executor, *, query: str | None) -> int:
    """How many skills ``skills_page`` walks through."""
    count: int = await db.fetchval(f"select count(*) from skills s where {_SKILL_MATCH}", query)
    return count


async def skill_ids_by_code(db: Executor, scheme: str, codes: Sequence[str]) -> dict[str, UUID]:
    """Skill IDs of one scheme by code (unknown codes are absent)."""
    rows = await db.fetch(
        "select code, id from skills where scheme = $1 and code = any($2::text[])", scheme, list(codes)
    )
    return {row["code"]: row["id"] for row in rows}
