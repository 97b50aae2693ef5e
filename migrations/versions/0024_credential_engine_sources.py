"""Credential Engine's registry as a harvest source: the organisation (by CTID) whose
listings a source fetches, for the provider here that publishes as it.

A CREDENTIAL_ENGINE source names one organisation of the Credential Engine registry and one
provider here; only another Microcred registry's feed carries many providers.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01
"""

from registry.migrate import execute_script

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

UP = r"""
alter table harvest_sources add column organization_ctid text
  check (organization_ctid ~ '^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$');
alter table harvest_sources drop constraint harvest_sources_check;
alter table harvest_sources add constraint harvest_sources_provider
  check ((kind <> 'MICROCRED_FEED') = (provider_id is not null));
alter table harvest_sources add constraint harvest_sources_organization
  check ((kind = 'CREDENTIAL_ENGINE') = (organization_ctid is not null));
drop index harvest_sources_url;
create unique index harvest_sources_url on harvest_sources
  (url, coalesce(provider_id, '00000000-0000-0000-0000-000000000000'), coalesce(organization_ctid, ''));
"""

DOWN = r"""
drop index harvest_sources_url;
create unique index harvest_sources_url on harvest_sources (url, coalesce(provider_id, '00000000-0000-0000-0000-000000000000'));
alter table harvest_sources drop constraint harvest_sources_organization;
alter table harvest_sources drop constraint harvest_sources_provider;
alter table harvest_sources add constraint harvest_sources_check
  check ((kind in ('CTDL', 'JSONL', 'CSV')) = (provider_id is not null));
alter table harvest_sources drop column organization_ctid;
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
