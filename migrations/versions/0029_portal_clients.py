"""Portal clients (issue 19): a provincial or national portal's own OAuth client, bound to the
jurisdictions it serves; it may manage webhooks for them and nothing else.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-01
"""

from registry.migrate import execute_script

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

# The new enum value is compared as text: PostgreSQL refuses a new value of an enum in the
# transaction that added it.
UP = r"""
alter type client_binding add value if not exists 'PORTAL';
alter table oauth_clients add column jurisdictions text[] not null default '{}',
  add constraint oauth_clients_portal_jurisdictions
    check ((binding::text = 'PORTAL') = (cardinality(jurisdictions) > 0)),
  add constraint oauth_clients_jurisdiction_codes
    check (cardinality(jurisdictions) <= 20 and array_to_string(jurisdictions, ',') ~ '^([A-Z]{2}(-[A-Z0-9]{1,3})?(,|$))*$');
"""

DOWN = r"""
update webhooks set disabled_at = coalesce(disabled_at, now())
 where client_id in (select client_id from oauth_clients where binding::text = 'PORTAL');
update oauth_clients set revoked_at = coalesce(revoked_at, now()) where binding::text = 'PORTAL';
alter table oauth_clients drop constraint oauth_clients_jurisdiction_codes,
  drop constraint oauth_clients_portal_jurisdictions, drop column jurisdictions;
-- client_binding keeps PORTAL (PostgreSQL cannot drop an enum value); portals' clients stay revoked
-- and their webhooks disabled, since nothing below this revision knows their jurisdictions.
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
