"""A stated reason when a listing has no framework level (the EU elements allow either).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from registry.migrate import execute_script

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        "alter table credentials add column level_reason text check (length(btrim(level_reason)) between 1 and 500)"
    )


def downgrade() -> None:
    execute_script("alter table credentials drop column level_reason")
