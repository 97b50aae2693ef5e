"""Offerings' "today" comes from the registry's time zone data, not PostgreSQL's.

`local_today(region)` (0026) converted now() with the server's time zone database, and the
pages and calendars with the tzdata package: the embedded server's copy still had Manitoba on
UTC-6 in winter, the package (2026.5) UTC-5 all year, and for an hour each night the search
and the listing's page disagreed on the day there. The searches now take the date in every
region as a parameter (registry/store/search.py, ``_today``), and the function goes.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-03
"""

from registry.migrate import execute_script

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None

UP = r"""
drop function local_today(text);
"""

DOWN = r"""
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


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
