"""Occupations as a way in (issue 20): each occupation keeps its definition and the job titles
people actually use (NOC 2021's illustrative examples, per language), and is searchable by
any word of any of them: a prefix-matching text vector (the class title weighs more than the
job titles) and a trigram-indexed text for typos, both computed by PostgreSQL from the row
itself so that every writer (the NOC loader, the demo) keeps them right.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-02
"""

from registry.migrate import execute_script

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

UP = r"""
-- {"en": ["welder", ...], "fr": ["soudeur/soudeuse", ...]}: per language, a list of non-blank texts.
create function is_language_lists(m jsonb) returns boolean
  language sql immutable parallel safe strict
  as $$
    select jsonb_typeof(m) = 'object'
       and not exists (select 1 from jsonb_each(m) e
                       where not is_language_tag(e.key) or jsonb_typeof(e.value) <> 'array'
                          or exists (select 1 from jsonb_array_elements(e.value) t
                                     where jsonb_typeof(t) <> 'string' or btrim(t #>> '{}') = ''))
  $$;

-- Every text of every language, space-separated (for the search columns).
create function language_lists_text(m jsonb) returns text
  language sql immutable parallel safe
  as $$ select coalesce((select string_agg(t, ' ' order by e.key)
                           from jsonb_each(m) e, jsonb_array_elements_text(e.value) t), '') $$;

-- Lower-case, accent-free words: what the occupation search matches ("préposé/préposée" is two words).
create function occupation_words(t text) returns text
  language sql immutable parallel safe
  as $$ select regexp_replace(lower(f_unaccent(coalesce(t, ''))), '[^[:alnum:]]+', ' ', 'g') $$;

alter table occupations
  add column definition jsonb check (definition is null or is_language_map(definition)),
  add column example_titles jsonb not null default '{}' check (is_language_lists(example_titles)),
  add column search_doc tsvector generated always as (  -- the code too: "721" finds every 721xx
    setweight(to_tsvector('simple'::regconfig, code || ' ' || occupation_words(language_map_text(title))), 'A')
    || setweight(to_tsvector('simple'::regconfig, occupation_words(language_lists_text(example_titles))), 'B')
  ) stored,
  add column search_words text generated always as (
    occupation_words(language_map_text(title) || ' ' || language_lists_text(example_titles))
  ) stored;

create index occupations_search_doc on occupations using gin (search_doc);
create index occupations_search_words_trgm on occupations using gin (search_words gin_trgm_ops);
"""

DOWN = r"""
alter table occupations drop column search_words, drop column search_doc, drop column example_titles,
  drop column definition;
drop function occupation_words(text);
drop function language_lists_text(jsonb);
drop function is_language_lists(jsonb);
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
