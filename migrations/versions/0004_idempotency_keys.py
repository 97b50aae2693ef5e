"""Idempotency keys: a retried write returns the first response instead of acting twice.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from registry.migrate import execute_script

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    create table idempotency_keys (
      client_id text not null references oauth_clients (client_id),
      key text not null check (length(key) between 1 and 255),
      request_sha256 bytea not null check (length(request_sha256) = 32),
      status integer,
      response bytea,
      created_at timestamptz not null default now(),
      primary key (client_id, key)
    );
    create index idempotency_keys_age on idempotency_keys (created_at);
    """)


def downgrade() -> None:
    execute_script("drop table if exists idempotency_keys")
