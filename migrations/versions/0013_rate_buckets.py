"""Leaky buckets for rate limiting by query cost, shared by every process and machine.

Unlogged: a bucket is worth nothing after a crash (everyone starts with a full allowance),
so its writes skip the WAL and replicas.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28
"""

from registry.migrate import execute_script

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UP = """
create unlogged table rate_buckets (
  key text primary key,              -- client:<client id> or ip:<address>
  level double precision not null,   -- cost points in the bucket, leaking at the restore rate
  updated_at timestamptz not null
);
"""

DOWN = "drop table rate_buckets;"


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
