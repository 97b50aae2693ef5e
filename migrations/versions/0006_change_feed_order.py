"""Change feed order that holds under concurrent writers.

A plain sequence can commit out of order (a lower number after a higher one was read). Each
change now records its transaction ID; readers are only handed changes of transactions
older than the oldest one still running (pg_snapshot_xmin), ordered by (txid, seq), so
nothing can later appear before a position already read. `listed` says whether the
listing was public (not a draft) at that change: what the public feed may show.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from registry.migrate import execute_script

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    alter table changes add column txid xid8 not null default pg_current_xact_id();
    alter table changes add column listed boolean not null default true;
    -- The feed is append-only; this one-off backfill is the migration's, not a change.
    alter table changes disable trigger changes_append_only;
    update changes ch set listed = coalesce(v.snapshot ->> 'status' <> 'DRAFT', true)
      from credential_versions v where v.credential_id = ch.credential_id and v.version = ch.version
       and ch.recognition_id is null;
    alter table changes enable trigger changes_append_only;
    create index changes_position on changes (txid, seq);
    """)


def downgrade() -> None:
    execute_script("""
    drop index if exists changes_position;
    alter table changes drop column listed;
    alter table changes drop column txid;
    """)
