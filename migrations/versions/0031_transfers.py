"""Transfers (issue 19): a listing moves to another provider keeping its ID, CTID, history,
recognitions and offerings; the move is a version of kind TRANSFERRED (with its reason) and a
change in the feed.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-01
"""

from registry.migrate import execute_script

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

UP = r"""
alter type change_kind add value if not exists 'TRANSFERRED';
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    """Nothing to undo: change_kind keeps TRANSFERRED (PostgreSQL cannot drop an enum value),
    and past transfers stay on record."""
