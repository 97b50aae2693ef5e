"""Registered persisted queries (APQ), shared by every process and machine.

A client registers a document once, with its SHA-256, on whichever process it reaches; every
other process then finds it by hash. The table keeps the most recently used documents only
(registry.store.persisted_queries prunes it as it registers).

Unlogged, like the rate buckets: after a crash it starts empty and the protocol recovers by
itself (an unknown hash is answered PERSISTED_QUERY_NOT_FOUND and the client sends its
document again), so its writes skip the WAL and the replicas.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02
"""

from registry.migrate import execute_script

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

UP = r"""
create unlogged table persisted_queries (
  sha256 text primary key check (sha256 = encode(sha256(convert_to(document, 'UTF8')), 'hex')),
  document text not null,
  size integer generated always as (octet_length(document)) stored,  -- bytes, as the bound counts them
  registered_at timestamptz not null default now(),
  last_used_at timestamptz not null default now()
);
-- The prune reads the documents newest first, with their sizes, without reading the documents.
create index persisted_queries_recency on persisted_queries (last_used_at desc, sha256) include (size);
"""

DOWN = "drop table persisted_queries;"


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
