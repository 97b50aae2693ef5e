"""Delegated publishing (issue 19): a publisher's client (a ministry, a college system office,
a consortium) acts for the providers operators grant it, each grant on record with who made
it and, once revoked, who revoked it. Grants are read at every request, so a revoked one stops
working at once, whatever tokens were issued before.

A publisher's webhooks also hear the events of the listings of the providers it acts for
that are not public yet (drafts, VERIFICATION_DUE), as those providers' own webhooks do.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-01
"""

from registry.migrate import execute_script

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

UP = r"""
alter type client_binding add value if not exists 'PUBLISHER';

create table client_grants (
  id bigint generated always as identity primary key,
  client_id text not null references oauth_clients (client_id),
  provider_id uuid not null references providers (id),
  granted_at timestamptz not null default now(),
  granted_by text not null,
  revoked_at timestamptz,
  revoked_by text,
  check ((revoked_at is null) = (revoked_by is null))
);
create unique index client_grants_in_force on client_grants (client_id, provider_id) where revoked_at is null;

-- A publisher's webhooks hear what the providers it acts for hear (drafts, reminders), as
-- theirs do: the events of their listings that are not public yet.
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
     and (ch.listed or oc.binding = 'ADMIN' or oc.provider_id = c.provider_id
          or exists (select 1 from client_grants g where g.client_id = oc.client_id
                       and g.provider_id = c.provider_id and g.revoked_at is null))
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
     and (w.jurisdiction is null or in_jurisdiction(p.jurisdiction, c.regions, w.jurisdiction))
     and (ch.listed or oc.binding = 'ADMIN' or oc.provider_id = c.provider_id)
  on conflict do nothing;
  return null;
end $$;
update oauth_clients set revoked_at = coalesce(revoked_at, now()) where binding::text = 'PUBLISHER';
drop table client_grants;
-- client_binding keeps PUBLISHER (PostgreSQL cannot drop an enum value); publishers' clients stay revoked.
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
