"""Offerings' places as points on PostgreSQL's sphere, stored, with an index that answers
`near` by itself.

`place_point` is `ll_to_earth(latitude, longitude)`, computed once when an offering is
written instead of for every offering a search looks at; the index over it holds the listing
and start date too (the partial index's predicate holds the rest of what a search asks of an
offering), so that a search near a place reads no table row of an offering (an index-only
scan). Measured on the benchmark's 100,000 listings (150,000 offerings): the listings near
Toronto that start within 90 days, nearest first, 54 ms -> 7 ms.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-01
"""

from registry.migrate import execute_script

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

UP = r"""
alter table offerings add column place_point cube generated always as (ll_to_earth(latitude, longitude)) stored;
drop index offerings_place;
create index offerings_place on offerings using gist (place_point) include (credential_id, start_date)
  where latitude is not null and cancelled_at is null and delivery_mode <> 'ONLINE';
"""

DOWN = r"""
drop index offerings_place;
alter table offerings drop column place_point;
create index offerings_place on offerings using gist (ll_to_earth(latitude, longitude))
  where latitude is not null and cancelled_at is null and delivery_mode <> 'ONLINE';
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
