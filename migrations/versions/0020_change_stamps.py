"""Stamp every row the facet index reads with the transaction that last wrote it, and give
each listing a small dense number.

The per-process facet index (registry/services/facet_index.py) keeps its copy of the
listings exact by asking, with each count, for the rows "changed since my snapshot":
rows whose `changed_xid` was not yet visible in the PostgreSQL snapshot the index was
last in step with (`pg_visible_in_snapshot`). That is exact whatever order transactions
commit in, which a timestamp or a sequence is not: a transaction that began earlier may
commit later. `changed_xid` is set by a trigger, so no writer can forget it.

`ordinal` numbers listings in the order they were added (never reused, listings are never
deleted; an insert that conflicts or rolls back skips a number): the index keeps sets of
listings as compressed bitmaps of these numbers, and a text search returns the matching
numbers to intersect with them.

What it costs. Adding the identity numbers every listing, which rewrites the listings table
under an exclusive lock (readers wait too): minutes at a million listings, so run it in a
quiet hour; it gives up after 10 s rather than queue behind a long transaction and stall every
request behind it. Afterwards every write of one of the four tables also writes the
`changed_xid` index; listing updates were already never HOT (they set the indexed
`updated_at`).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01
"""

from registry.migrate import execute_script

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

TABLES = ("credentials", "recognitions", "providers", "recognition_authorities")

# Rows already there get a stamp older than any snapshot the index will keep (the index reads
# them all when it is built): a constant default adds the column without rewriting the table.
# The listings get both columns in one statement, so that numbering every row rewrites the
# table once.
UP = (
    """
set local lock_timeout = '10s';

create function stamp_changed_xid() returns trigger language plpgsql as $$
begin
  new.changed_xid := pg_current_xact_id();  -- the top-level transaction, even in a savepoint
  return new;
end $$;

alter table credentials
  add column ordinal integer generated always as identity,
  add column changed_xid xid8 not null default '1';
create unique index credentials_ordinal on credentials (ordinal);
"""
    + "".join(f"alter table {table} add column changed_xid xid8 not null default '1';\n" for table in TABLES[1:])
    + "".join(
        f"""
create index {table}_changed_xid on {table} (changed_xid);
create trigger {table}_changed_xid before insert or update on {table}
  for each row execute function stamp_changed_xid();
analyze {table};  -- so that the counts' lookups of changed rows are planned on the new column
"""
        for table in TABLES
    )
)

DOWN = (
    "".join(
        f"""
drop trigger {table}_changed_xid on {table};
alter table {table} drop column changed_xid;
"""
        for table in TABLES
    )
    + """
alter table credentials drop column ordinal;
drop function stamp_changed_xid();
"""
)


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
