"""A note on a version: why a listing was retired, for example.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from registry.migrate import execute_script

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("alter table credential_versions add column note text check (length(note) <= 2000)")


def downgrade() -> None:
    execute_script("alter table credential_versions drop column note")
