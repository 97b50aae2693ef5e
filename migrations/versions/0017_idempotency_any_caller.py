"""Idempotency keys belong to any authenticated caller, not only registered clients.

A token of a trusted external issuer acts as `ext:<issuer>#<subject>`, a principal with no
row in oauth_clients; the foreign key made its Idempotency-Key requests fail. Keys are
scoped by the caller's ID whichever kind it is.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""

from registry.migrate import execute_script

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

UP = "alter table idempotency_keys drop constraint idempotency_keys_client_id_fkey;"
DOWN = """
delete from idempotency_keys k where not exists (select 1 from oauth_clients c where c.client_id = k.client_id);
alter table idempotency_keys add constraint idempotency_keys_client_id_fkey
  foreign key (client_id) references oauth_clients (client_id);
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
