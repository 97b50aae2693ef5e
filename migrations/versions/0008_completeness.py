"""A listing's completeness score, so that searches can ask for complete listings.

Follows registry.domain.completeness: 12 elements, of which description, learning outcomes,
level (or a stated reason), quality assurance and languages may be missing.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from registry.migrate import execute_script

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    alter table credentials add column completeness real generated always as (round(((12
        - (description = '{}')::int
        - (learning_outcomes = '[]')::int
        - (level_framework is null and coalesce(btrim(level_reason), '') = '')::int
        - (coalesce(btrim(quality_assurance), '') = '')::int
        - (cardinality(languages) = 0)::int)::numeric / 12), 4)::real) stored;
    """)


def downgrade() -> None:
    execute_script("alter table credentials drop column completeness")
