"""Idempotency keys remember whether their request's writes committed.

A request's write transactions mark its key applied in the same transaction, so a key whose
process died mid-request tells a retry the truth: nothing was written (the retry may run
once the claim is old enough to be abandoned) or it was (the retry must not run again).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28
"""

from registry.migrate import execute_script

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

UP = "alter table idempotency_keys add column applied_at timestamptz;"
DOWN = "alter table idempotency_keys drop column applied_at;"


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
