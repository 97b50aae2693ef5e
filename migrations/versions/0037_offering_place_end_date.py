"""The index a near search reads also holds each offering's end date and region, so that a
search can leave out runs that have ended and still answer from the index alone.

A search's offering conditions count only runs that have not ended (their last day, the start
when they have no end, not before today where they run), as a listing's offerings show them:
a listing whose only run near a place ended months ago no longer matches "near" that place.
Telling needs the end date, and for a run that ended the day before UTC's date, its region
(whose time zone says whether that day is over there).

The index is dropped and built again in one transaction, which holds the offerings, reads
included (dropping an index locks its table), for its duration: a second or two on the
benchmark's 150,000 offerings, while every search that reads offerings waits. Run it in a quiet
hour at a national scale, as 0036.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-02
"""

from registry.migrate import execute_script

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None

UP = r"""
set local lock_timeout = '10s';
drop index offerings_place;
create index offerings_place on offerings using gist (place_point)
  include (credential_id, start_date, end_date, region, credential_ordinal)
  where latitude is not null and cancelled_at is null and delivery_mode <> 'ONLINE';
"""

DOWN = r"""
drop index offerings_place;
create index offerings_place on offerings using gist (place_point) include (credential_id, start_date, credential_ordinal)
  where latitude is not null and cancelled_at is null and delivery_mode <> 'ONLINE';
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
