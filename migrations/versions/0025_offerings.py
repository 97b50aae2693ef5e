"""Offerings: when and where a listing runs (issue 18).

An offering belongs to one listing: its dates (none: a rolling intake), registration window,
delivery mode, place (municipality, region, postal code, coordinates; none when fully online),
schedule timings, languages, a cost when it differs from the listing's, seats and availability,
and when it was cancelled (offerings are cancelled, never deleted). Each change is versioned in
`offering_versions` and announced on the change feed (`changes.offering_id`, kinds
OFFERING_ADDED, OFFERING_UPDATED, OFFERING_CANCELLED); the listing's own version stays, as it
does for recognitions, so that a provider editing a listing never conflicts with its intakes.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-01
"""

from registry.migrate import execute_script

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

UP = r"""
create type schedule_timing as enum ('DAYTIME', 'EVENING', 'WEEKEND');
create type offering_availability as enum ('OPEN', 'FEW_SEATS', 'FULL', 'WAITLIST', 'CLOSED');
alter type change_kind add value if not exists 'OFFERING_ADDED';
alter type change_kind add value if not exists 'OFFERING_UPDATED';
alter type change_kind add value if not exists 'OFFERING_CANCELLED';

create table offerings (
  id uuid primary key default gen_random_uuid(),
  credential_id uuid not null references credentials (id),
  external_id text check (length(external_id) between 1 and 200),
  start_date date,
  end_date date,
  registration_opens date,
  registration_deadline date,
  delivery_mode delivery_mode not null,
  place_name text check (length(place_name) <= 200),
  street_address text check (length(street_address) <= 300),
  municipality text check (length(municipality) between 1 and 200),
  region text check (region ~ '^[A-Z]{2}-[A-Z0-9]{1,3}$'),
  postal_code text check (length(postal_code) <= 20),
  latitude double precision check (latitude between -90 and 90),
  longitude double precision check (longitude between -180 and 180),
  schedule_timings schedule_timing[] not null default '{}',
  languages text[] not null default '{}',
  cost_amount numeric(12, 2) check (cost_amount >= 0),
  cost_currency text check (cost_currency ~ '^[A-Z]{3}$'),
  seats_total integer check (seats_total >= 0),
  seats_available integer check (seats_available >= 0),
  availability offering_availability not null default 'OPEN',
  cancelled_at timestamptz,
  cancelled_reason text check (length(cancelled_reason) <= 2000),
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (credential_id, external_id),
  check (end_date is null or start_date is null or end_date >= start_date),
  check (registration_deadline is null or registration_opens is null or registration_deadline >= registration_opens),
  check (seats_available is null or seats_total is null or seats_available <= seats_total),
  check ((municipality is null) = (region is null)),
  check ((latitude is null) = (longitude is null)),
  check ((cost_amount is null) = (cost_currency is null)),
  check (delivery_mode = 'ONLINE' or municipality is not null),
  check ((cancelled_at is null) = (cancelled_reason is null))
);
create index offerings_of_credential on offerings (credential_id, start_date nulls first, id);
create trigger offerings_never_deleted before delete on offerings for each row execute function refuse_change();
create trigger offerings_notify after insert or update or delete or truncate on offerings
  for each statement execute function notify_public_data_changed();

-- Append-only history: one row per change of an offering, with the full snapshot.
create table offering_versions (
  offering_id uuid not null references offerings (id),
  version integer not null,
  kind text not null,
  changed_at timestamptz not null default now(),
  actor text not null,
  snapshot jsonb not null,
  primary key (offering_id, version)
);
create trigger offering_versions_append_only before update or delete on offering_versions
  for each row execute function refuse_change();

alter table changes add column offering_id uuid references offerings (id);
"""

DOWN = r"""
alter table changes drop column offering_id;
drop table offering_versions;
drop table offerings;
drop type offering_availability;
drop type schedule_timing;
-- change_kind keeps its OFFERING_* values: PostgreSQL cannot drop an enum value (upgrading again adds none).
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
