"""One definition of "in a jurisdiction", used by the change feed, the export, the
webhook trigger and provider lists.

A listing is in jurisdiction J when its provider is in J (J = CA-ON, or the country CA for
every province), or when it is offered in J.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from registry.migrate import execute_script

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UP = r"""
create function in_jurisdiction(provider_jurisdiction text, regions text[], wanted text) returns boolean
  language sql immutable parallel safe
  as $$ select provider_jurisdiction = wanted or provider_jurisdiction like wanted || '-%' or wanted = any(regions) $$;

create or replace function queue_webhook_deliveries() returns trigger language plpgsql as $$
begin
  insert into webhook_deliveries (webhook_id, change_seq)
  select w.id, ch.seq
    from inserted ch
    join credentials c on c.id = ch.credential_id
    join providers p on p.id = c.provider_id
    join webhooks w on w.disabled_at is null and w.deleted_at is null
    join oauth_clients oc on oc.client_id = w.client_id and oc.revoked_at is null
   where (cardinality(w.kinds) = 0 or ch.kind::text = any(w.kinds))
     and (w.jurisdiction is null or in_jurisdiction(p.jurisdiction, c.regions, w.jurisdiction))
     and (ch.listed or oc.binding = 'ADMIN' or oc.provider_id = c.provider_id)
  on conflict do nothing;
  return null;
end $$;
"""

DOWN = r"""
create or replace function queue_webhook_deliveries() returns trigger language plpgsql as $$
begin
  insert into webhook_deliveries (webhook_id, change_seq)
  select w.id, ch.seq
    from inserted ch
    join credentials c on c.id = ch.credential_id
    join providers p on p.id = c.provider_id
    join webhooks w on w.disabled_at is null and w.deleted_at is null
    join oauth_clients oc on oc.client_id = w.client_id and oc.revoked_at is null
   where (cardinality(w.kinds) = 0 or ch.kind::text = any(w.kinds))
     and (w.jurisdiction is null or p.jurisdiction = w.jurisdiction
          or p.jurisdiction like w.jurisdiction || '-%' or w.jurisdiction = any(c.regions))
     and (ch.listed or oc.binding = 'ADMIN' or oc.provider_id = c.provider_id)
  on conflict do nothing;
  return null;
end $$;
drop function if exists in_jurisdiction(text, text[], text);
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
