"""Occupations are searched by `search_doc` and `search_words` (0033): the older `title_text`
column and its trigram index have no reader left, and cost every occupation write.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-02
"""

from registry.migrate import execute_script

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

UP = r"""
drop index occupations_title_trgm;
alter table occupations drop column title_text;
"""

DOWN = r"""
alter table occupations
  add column title_text text generated always as (lower(f_unaccent(language_map_text(title)))) stored;
create index occupations_title_trgm on occupations using gin (title_text gin_trgm_ops);
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
