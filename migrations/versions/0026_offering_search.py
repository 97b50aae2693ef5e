"""Searching by offerings: distances (cube and earthdistance, which ship with PostgreSQL) with
an index over the offerings' places, and "today" in a province's own time zone.

`local_today(region)` is the calendar date now in the region's time zone (a province that
spans several has its most populous one's; anything else, Toronto's): an offering's dates are
local dates of its place, or of its listing's region when it is online.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-01
"""

from registry.migrate import execute_script

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

UP = r"""
create extension if not exists cube;
create extension if not exists earthdistance;

create index offerings_place on offerings using gist (ll_to_earth(latitude, longitude))
  where latitude is not null and cancelled_at is null and delivery_mode <> 'ONLINE';
create index offerings_start on offerings (start_date) where cancelled_at is null;

create function local_today(region text) returns date language sql stable parallel safe as $$
  select (now() at time zone case region
    when 'CA-NL' then 'America/St_Johns' when 'CA-NS' then 'America/Halifax' when 'CA-PE' then 'America/Halifax'
    when 'CA-NB' then 'America/Moncton' when 'CA-QC' then 'America/Toronto' when 'CA-ON' then 'America/Toronto'
    when 'CA-MB' then 'America/Winnipeg' when 'CA-SK' then 'America/Regina' when 'CA-AB' then 'America/Edmonton'
    when 'CA-BC' then 'America/Vancouver' when 'CA-YT' then 'America/Whitehorse'
    when 'CA-NT' then 'America/Yellowknife' when 'CA-NU' then 'America/Iqaluit'
    else 'America/Toronto' end)::date
$$;
"""

DOWN = r"""
drop function local_today(text);
drop index offerings_start;
drop index offerings_place;
drop extension earthdistance;
drop extension cube;
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
