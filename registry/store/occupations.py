"""Occupations as a way in: finding them by any word of their titles and job titles, one by
its code, and loading a classification's published files.

A query matches the occupations having every one of its words as the start of a word of
their code, title or job titles, any language, accents and case ignored ("préposé aux
bénéficiaires", "soudeur", "721"); the class title weighs more than the job titles. When no
occupation has every word, those having some of them match, most first (a search page's
"welder online ontario" still names the welders); when none has any, the query is matched as
listings' titles are (trigram word similarity, PostgreSQL's `%>`), so that a typo still finds
something.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence
from uuid import UUID

from registry.db import Executor
from registry.domain.occupations import OccupationEntry
from registry.domain.records import Occupation
from registry.store.paging import Key, Page, fetch_page
from registry.store.taxonomy import OCCUPATION_COLUMNS

DETAIL_COLUMNS = f"{OCCUPATION_COLUMNS}, o.definition, o.example_titles"

# How a query matches, decided once per query: "all" when some occupation has every word (as
# the start of one of its words), else "any" (those with some of the words, most first), else
# "near" (trigram word similarity to the whole text).
_QUERY = """(select w.all_words, w.any_word, occupation_words($1) as words,
                    case when exists (select 1 from occupations x where x.search_doc @@ w.all_words) then 'all'
                         when exists (select 1 from occupations x where x.search_doc @@ w.any_word) then 'any'
                         else 'near' end as mode
               from (select to_tsquery('simple', coalesce(string_agg(quote_literal(word) || ':*', ' & '), '')) as all_words,
                            to_tsquery('simple', coalesce(string_agg(quote_literal(word) || ':*', ' | '), '')) as any_word
                       from regexp_split_to_table(btrim(occupation_words($1)), ' ') word
                      where word <> '') w) q"""
_MATCH = """(case q.mode when 'all' then o.search_doc @@ q.all_words
                      when 'any' then o.search_doc @@ q.any_word
                      else o.search_words %> q.words end)"""
_RANK = """(-(case q.mode when 'all' then ts_rank(o.search_doc, q.all_words)
                          when 'any' then ts_rank(o.search_doc, q.any_word)
                          else word_similarity(q.words, o.search_words) end))"""


def build_detailed(row: Mapping[str, Any]) -> Occupation:
    """An Occupation record with its definition and job titles, from DETAIL_COLUMNS."""
    return Occupation(
        row["id"], row["scheme"], row["code"], row["title"], row["definition"], row["example_titles"] or {}
    )


async def search_page(db: Executor, *, query: str | None, first: int, after: Key | None) -> Page[Occupation]:
    """Occupations matching ``query``, best first; by code without a query."""
    if query is None:
        from_sql, where, params, sort_sql, sort_type = "occupations o", "true", [], "o.code", "text"
    else:
        from_sql, where, params = f"occupations o, {_QUERY}", _MATCH, [query]
        sort_sql, sort_type = f"{_RANK}::float8", "float8"
    return await fetch_page(
        db,
        columns=DETAIL_COLUMNS,
        from_sql=from_sql,
        where=where,
        params=params,
        sort_sql=sort_sql,
        sort_type=sort_type,
        id_sql="o.id",
        first=first,
        after=after,
        build=build_detailed,
    )


async def search_count(db: Executor, *, query: str | None) -> int:
    """How many occupations ``search_page`` walks through."""
    if query is None:
        return int(await db.fetchval("select count(*) from occupations"))
    return int(await db.fetchval(f"select count(*) from occupations o, {_QUERY} where {_MATCH}", query))


async def by_code(db: Executor, scheme: str, code: str) -> Occupation | None:
    """The occupation with ``code`` in ``scheme``, with its definition and job titles."""
    row = await db.fetchrow(
        f"select {DETAIL_COLUMNS} from occupations o where o.scheme = $1 and o.code = $2", scheme, code
    )
    return build_detailed(row) if row else None


async def details_by_ids(db: Executor, ids: Sequence[UUID]) -> dict[UUID, Occupation]:
    """The occupations with these IDs, with their definitions and job titles, keyed by ID."""
    rows = await db.fetch(f"select {DETAIL_COLUMNS} from occupations o where o.id = any($1::uuid[])", list(ids))
    return {row["id"]: build_detailed(row) for row in rows}


async def merge(db: Executor, scheme: str, entries: Sequence[OccupationEntry]) -> tuple[int, int]:
    """Write ``entries`` into ``scheme``: new
    codes are added; a known code takes the languages the entry has, keeping the others (the
    English files and the French ones may be loaded apart). (created, changed)."""
    row = await db.fetchrow(
        """
        with incoming as (
          select * from unnest($2::text[], $3::jsonb[], $4::jsonb[], $5::jsonb[]) i(code, title, definition, examples)
        ), written as (
          insert into occupations as o (scheme, code, title, definition, example_titles)
          select $1, i.code, i.title, nullif(i.definition, '{}'), i.examples from incoming i
          on conflict (scheme, code) do update set
            title = o.title || excluded.title,
            definition = nullif(coalesce(o.definition, '{}') || coalesce(excluded.definition, '{}'), '{}'),
            example_titles = o.example_titles || excluded.example_titles
          where (o.title, o.definition, o.example_titles) is distinct from
                (o.title || excluded.title,
                 nullif(coalesce(o.definition, '{}') || coalesce(excluded.definition, '{}'), '{}'),
                 o.example_titles || excluded.example_titles)
          returning (xmax = 0) as created
        )
        select count(*) filter (where created) as created, count(*) filter (where not created) as changed
          from written
        """,
        scheme,
        [e.code for e in entries],
        [e.title for e in entries],
        [e.definition for e in entries],
        [e.example_titles for e in entries],
    )
    assert row is not None  # an aggregate always answers one row
    return int(row["created"]), int(row["changed"])
