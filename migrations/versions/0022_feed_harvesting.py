"""Harvesting another registry's change feed: where a feed run resumes, which remote listing
and recognition each harvested one mirrors, and the parties a feed brought in.

A feed source remembers the cursor after the last change it applied (`cursor`): a run that
stops (the source down, a limit reached) resumes there. `listing_sources.remote_id` is the
listing's ID in the source registry; `harvested_recognitions` maps the source's recognitions
to this registry's, so that a revocation there revokes the mirror here. A provider or
authority created by a feed waits for an operator's confirmation (`awaiting_confirmation_from`
names the source; null once confirmed, and for parties registered here).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01
"""

from registry.migrate import execute_script

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

UP = r"""
alter table harvest_sources add column cursor text check (length(cursor) <= 200);

alter table listing_sources add column remote_id text check (length(remote_id) <= 200);
create unique index listing_sources_remote on listing_sources (source_id, remote_id) where remote_id is not null;

create table harvested_recognitions (
  recognition_id uuid primary key references recognitions (id),
  source_id uuid not null references harvest_sources (id),
  remote_id text not null check (length(remote_id) <= 200),
  unique (source_id, remote_id)
);

alter table providers add column awaiting_confirmation_from uuid references harvest_sources (id);
alter table recognition_authorities add column awaiting_confirmation_from uuid references harvest_sources (id);
"""

DOWN = """
alter table recognition_authorities drop column awaiting_confirmation_from;
alter table providers drop column awaiting_confirmation_from;
drop table harvested_recognitions;
drop index listing_sources_remote;
alter table listing_sources drop column remote_id;
alter table harvest_sources drop column cursor;
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
