"""Each offering carries its listing's ordinal, in the index a near search reads, so that the
facet index's matching set of a search whose only conditions for PostgreSQL are on offerings
is read from that index alone.

The facet index asks PostgreSQL for the ordinals of the listings a search accepts, then
intersects them with its own bitmaps, the viewer's visibility and the statuses asked for
included. For a near search that meant probing each accepted listing's key for its ordinal
(and its status, which the index checks again): 1,497 probes near Toronto at 100,000
listings, 3.3 of the statement's 5.3 ms under EXPLAIN. A listing's ordinal never changes
(an identity, never reused), so an offering can hold it; a trigger fills it in on every
insert (the COPY of a bulk load included) and whenever an offering's listing would change.

The migration holds the offerings (reads included) for its duration: it rewrites every row
and rebuilds the index over their points in one transaction (under 10 s for the whole `microcred
migrate upgrade` on the benchmark's 150,000 offerings; run it in a quiet hour at a national
scale). Rewritten rows are not all-visible until the table is next vacuumed (autovacuum does it;
`VACUUM (ANALYZE) offerings` at once): until then a near search's index-only scan also reads
the rows it finds, correct but slower.

The column is checked rather than declared not null: a bulk load stages rows in a copy of
the table made with LIKE, which copies not-null constraints (and not check constraints or
triggers), before the insert that fills it in.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-02
"""

from registry.migrate import execute_script

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

UP = r"""
set local lock_timeout = '10s';
alter table offerings add column credential_ordinal integer;
update offerings o set credential_ordinal = c.ordinal from credentials c where c.id = o.credential_id;
alter table offerings add constraint offerings_credential_ordinal_known check (credential_ordinal is not null);

create function offering_credential_ordinal() returns trigger language plpgsql as $$
begin
  new.credential_ordinal := (select c.ordinal from credentials c where c.id = new.credential_id);
  return new;
end
$$;
create trigger offerings_credential_ordinal before insert or update of credential_id, credential_ordinal
  on offerings for each row execute function offering_credential_ordinal();

drop index offerings_place;
create index offerings_place on offerings using gist (place_point) include (credential_id, start_date, credential_ordinal)
  where latitude is not null and cancelled_at is null and delivery_mode <> 'ONLINE';
"""

DOWN = r"""
drop index offerings_place;
create index offerings_place on offerings using gist (place_point) include (credential_id, start_date)
  where latitude is not null and cancelled_at is null and delivery_mode <> 'ONLINE';
drop trigger offerings_credential_ordinal on offerings;
drop function offering_credential_ordinal();
alter table offerings drop column credential_ordinal;
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
