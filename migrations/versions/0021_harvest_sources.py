"""Harvest sources: where the registry fetches listings already published elsewhere, each
run of a source, and which listings came from which source.

A source belongs to one provider when it is a provider's own file (CTDL, JSONL, CSV); feeds
that carry many providers (another registry, Credential Engine) belong to none. Runs are kept
(what was created, updated, unchanged, retired, failed, and why). A harvested listing has one
`listing_sources` row: the source is authoritative for it, and `absent_runs` counts the
successful runs in a row that did not have it (two retire it).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01
"""

from registry.migrate import execute_script

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

UP = r"""
create type harvest_source_kind as enum ('CTDL', 'JSONL', 'CSV', 'MICROCRED_FEED', 'CREDENTIAL_ENGINE');

create table harvest_sources (
  id uuid primary key default gen_random_uuid(),
  kind harvest_source_kind not null,
  url text not null check (url ~ '^https?://[^\s/]+[^\s]*$' and length(url) <= 2000),
  provider_id uuid references providers (id),
  every_minutes integer not null default 1440 check (every_minutes between 5 and 44640),
  enabled boolean not null default true,
  -- The last successful fetch: its validators for a conditional request, and its content's hash.
  etag text,
  last_modified text,
  content_hash text,
  created_at timestamptz not null default now(),
  next_run_at timestamptz not null default now(),
  -- A run's lease: one run of a source at a time, whichever process; only its holder ends it.
  lease uuid,
  running_until timestamptz,
  check ((kind in ('CTDL', 'JSONL', 'CSV')) = (provider_id is not null))
);
create unique index harvest_sources_url on harvest_sources (url, coalesce(provider_id, '00000000-0000-0000-0000-000000000000'));
create index harvest_sources_due on harvest_sources (next_run_at) where enabled;

create table harvest_runs (
  id uuid primary key default gen_random_uuid(),
  source_id uuid not null references harvest_sources (id),
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  succeeded boolean,  -- null while running; false when the source could not be read
  not_modified boolean not null default false,
  created integer not null default 0,
  updated integer not null default 0,
  unchanged integer not null default 0,
  retired integer not null default 0,
  failed integer not null default 0,
  problems jsonb not null default '[]'
);
create index harvest_runs_of_source on harvest_runs (source_id, started_at desc, id);

create table listing_sources (
  credential_id uuid primary key references credentials (id),
  source_id uuid not null references harvest_sources (id),
  url text not null,
  fetched_at timestamptz not null,
  content_hash text not null,
  absent_runs integer not null default 0 check (absent_runs >= 0)
);
create index listing_sources_of_source on listing_sources (source_id);
"""

DOWN = """
drop table listing_sources;
drop table harvest_runs;
drop table harvest_sources;
drop type harvest_source_kind;
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
