"""Listings kept current: when the provider last confirmed a listing (issue 19).

`last_verified_at` is set by `confirmCredentials` and by every write of the listing (a
trigger: whatever changes `updated_at` confirms it too); a listing is stale when it is older
than MICROCRED_STALE_AFTER_DAYS. `verification_reminded_at` is when the worker last told the
provider that a confirmation is due (the change kind VERIFICATION_DUE, for the provider's own
webhooks only), so that it says so once per confirmation. Existing listings start from their
last write.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-01
"""

from registry.migrate import execute_script

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

UP = r"""
alter type change_kind add value if not exists 'CONFIRMED';
alter type change_kind add value if not exists 'VERIFICATION_DUE';

alter table credentials add column last_verified_at timestamptz not null default now(),
                        add column verification_reminded_at timestamptz;
update credentials set last_verified_at = updated_at;

create function confirm_on_write() returns trigger language plpgsql as $$
begin
  if new.updated_at is distinct from old.updated_at then
    new.last_verified_at := greatest(new.updated_at, old.last_verified_at);
  end if;
  return new;
end $$;
create trigger credentials_confirm_on_write before update of updated_at on credentials
  for each row execute function confirm_on_write();

-- Published listings by when they were last confirmed: the `stale` filter and the worker's
-- reminders read them in this order.
create index credentials_last_verified on credentials (last_verified_at) where status = 'PUBLISHED';
"""

DOWN = r"""
drop index credentials_last_verified;
drop trigger credentials_confirm_on_write on credentials;
drop function confirm_on_write();
alter table credentials drop column verification_reminded_at, drop column last_verified_at;
-- change_kind keeps CONFIRMED and VERIFICATION_DUE: PostgreSQL cannot drop an enum value.
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
