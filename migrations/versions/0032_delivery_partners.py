"""Delivery partners (issue 19): a listing owned by one provider may be delivered by others
too (CTDL's ownedBy and offeredBy; New Zealand's accredited deliverers). The owner stays on
the listing; the partners are a list of their own, in the owner's order, part of every
version's snapshot and of the public data the response caches watch.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-01
"""

from registry.migrate import execute_script

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

UP = r"""
create table credential_partners (
  credential_id uuid not null references credentials (id),
  provider_id uuid not null references providers (id),
  position smallint not null default 0,
  primary key (credential_id, provider_id)
);
-- "What does this provider deliver": the partner side of the owner-or-partner filter.
create index credential_partners_provider on credential_partners (provider_id, credential_id);

create trigger credential_partners_notify after insert or update or delete or truncate on credential_partners
  for each statement execute function notify_public_data_changed();
"""

DOWN = r"""
drop table credential_partners;
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
