"""Where each client's last write ended in the primary's WAL, for read-your-writes on replicas.

After a client's mutation, the registry records `pg_current_wal_lsn()`; a read by that client
goes to a replica only once the replica has replayed past it. Not public data: no NOTIFY.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

from registry.migrate import execute_script

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UP = """
create table client_write_positions (
  client_id text primary key,
  lsn pg_lsn not null,
  written_at timestamptz not null default now()
);
"""

DOWN = "drop table client_write_positions;"


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
