"""A listing is public from its first publication on, and so is its history.

Versions now say whether they are public (`listed`): true from the listing's first
publication on, false for versions written while it was a draft. The change feed's
`listed` is copied from its version. Before this, a version or a feed entry counted as
public whenever the listing was not a draft at that moment, so a draft retired before it
was ever published became public with its draft content; the backfill corrects those.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from registry.migrate import execute_script

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

UP = """
alter table credential_versions add column listed boolean;
-- History is append-only; this one-off backfill is the migration's, not a change.
alter table credential_versions disable trigger credential_versions_append_only;
update credential_versions v
   set listed = exists (select 1 from credential_versions p
                         where p.credential_id = v.credential_id and p.kind = 'PUBLISHED' and p.version <= v.version);
alter table credential_versions enable trigger credential_versions_append_only;
alter table credential_versions alter column listed set not null;

alter table changes disable trigger changes_append_only;
update changes ch set listed = v.listed
  from credential_versions v
 where v.credential_id = ch.credential_id and v.version = ch.version and ch.recognition_id is null
   and ch.listed <> v.listed;
alter table changes enable trigger changes_append_only;
alter table changes alter column listed drop default;
"""

DOWN = """
alter table changes alter column listed set default true;
alter table credential_versions drop column listed;
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
