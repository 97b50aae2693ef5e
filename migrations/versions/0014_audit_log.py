"""The operators' audit trail: who registered or revoked which client, provider or authority,
and when. Append-only, like the listings' history.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""

from registry.migrate import execute_script

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

UP = """
create table audit_log (
  id bigserial primary key,
  at timestamptz not null default now(),
  actor text not null,                 -- the OAuth client, or cli:<user> for the command line
  action text not null,                -- e.g. client.created, client.revoked, provider.created
  target text not null,                -- what it acted on: a client ID, a slug
  details jsonb not null default '{}'
);
create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function refuse_change();
"""

DOWN = "drop table audit_log;"


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
