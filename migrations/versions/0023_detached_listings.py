"""An operator can detach a harvested listing from its source: the listing is then written
here (its provider's API, imports), and the source's runs no longer change or retire it.

`listing_sources.detached_at` says when; the row stays, so the source's later runs know the
listing is no longer theirs and say so.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01
"""

from registry.migrate import execute_script

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

UP = "alter table listing_sources add column detached_at timestamptz;"
DOWN = "alter table listing_sources drop column detached_at;"


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
