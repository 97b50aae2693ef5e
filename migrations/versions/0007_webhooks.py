"""Webhooks and their delivery outbox.

A statement-level trigger on `changes` queues a delivery for every matching webhook in the
same transaction as the change itself: a change and its notifications commit together.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from registry.migrate import execute_script

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UP = r"""
create type delivery_status as enum ('PENDING', 'DELIVERED', 'FAILED');

create table webhooks (
  id uuid primary key default gen_random_uuid(),
  client_id text not null references oauth_clients (client_id),
  url text not null check (url ~ '^https?://[^\s/]+\S*$' and length(url) <= 2000),
  secret_encrypted bytea not null,
  kinds text[] not null default '{}',
  jurisdiction text check (jurisdiction ~ '^[A-Z]{2}(-[A-Z0-9]{1,3})?$'),
  created_at timestamptz not null default now(),
  failing_since timestamptz,
  disabled_at timestamptz,
  deleted_at timestamptz
);
create index webhooks_client on webhooks (client_id);

create table webhook_deliveries (
  id bigint generated always as identity primary key,
  webhook_id uuid not null references webhooks (id),
  change_seq bigint not null references changes (seq),
  status delivery_status not null default 'PENDING',
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_status_code integer,
  last_error text,
  created_at timestamptz not null default now(),
  delivered_at timestamptz,
  unique (webhook_id, change_seq)
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'PENDING';

create function queue_webhook_deliveries() returns trigger language plpgsql as $$
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

create trigger changes_queue_webhooks after insert on changes
  referencing new table as inserted for each statement execute function queue_webhook_deliveries();
"""

DOWN = r"""
drop trigger if exists changes_queue_webhooks on changes;
drop function if exists queue_webhook_deliveries();
drop table if exists webhook_deliveries, webhooks;
drop type if exists delivery_status;
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
