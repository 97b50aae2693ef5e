"""Tell every listening process when public data changes: a NOTIFY on the channel
`registry_public_data` from every statement that writes a table public reads draw on.

PostgreSQL sends notifications at commit (never for a rolled-back transaction) and folds
identical ones of one transaction into one, so a bulk import costs one message. Response
caches in every process, on every machine, listen and drop what they hold.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from registry.migrate import execute_script

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = (
    "credentials",
    "providers",
    "recognitions",
    "recognition_authorities",
    "credential_links",
    "credential_skills",
    "credential_occupations",
    "skills",
    "occupations",
    "credential_versions",
)

UP = """
create function notify_public_data_changed() returns trigger language plpgsql as $$
begin
  perform pg_notify('registry_public_data', '');
  return null;
end $$;
""" + "".join(
    f"""
create trigger {table}_notify after insert or update or delete or truncate on {table}
  for each statement execute function notify_public_data_changed();
"""
    for table in TABLES
)

DOWN = (
    "".join(f"drop trigger {table}_notify on {table};\n" for table in TABLES)
    + """
drop function notify_public_data_changed();
"""
)


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
