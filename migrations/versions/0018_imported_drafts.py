"""What other publishers' listings bring: drafts that lack what publication needs, the CTID,
keywords, and every cost.

- A draft may lack its workload, delivery mode, pace and assessment (CTDL does not require
  them); a listing that has ever been published has them all (`credentials_publishable`).
- `url` may be http: accepted, and counted missing in the completeness score until it is https.
- `ce_ctid` (`ctid` is PostgreSQL's own system column): the Credential Engine CTID, kept from
  an import or minted once as `ce-` and the listing's UUID (what every export has said so
  far), and never changed.
- `keywords`: a language map of word lists, searched like the outcomes (weight B, below titles).
- `cost_items`: every cost besides the listing's cost (application fees, materials...), each
  `{type, amount, currency, description?}`.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""

from registry.migrate import execute_script

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

UP = r"""
alter table credentials
  alter column workload_hours drop not null,
  alter column delivery_mode drop not null,
  alter column pace drop not null,
  alter column assessment drop not null,
  add constraint credentials_publishable check (
    published_at is null
    or (workload_hours is not null and delivery_mode is not null and pace is not null and assessment is not null)),
  drop constraint credentials_url_check,
  add constraint credentials_url_check check (url ~ '^https?://[^\s/]+[^\s]*$'),
  add column ce_ctid text,
  add column keywords jsonb not null default '{}' check (keywords = '{}' or jsonb_typeof(keywords) = 'object'),
  add column cost_items jsonb not null default '[]' check (jsonb_typeof(cost_items) = 'array');

-- The CTID each listing's exports have carried so far.
update credentials set ce_ctid = 'ce-' || id;
alter table credentials
  alter column ce_ctid set not null,
  add constraint credentials_ce_ctid_format check (ce_ctid ~ '^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'),
  add constraint credentials_ce_ctid_key unique (ce_ctid);

-- Minted on insert when none is given (COPY included); never changed afterwards.
create function keep_ctid() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    new.ce_ctid := coalesce(new.ce_ctid, 'ce-' || new.id);
  elsif new.ce_ctid is distinct from old.ce_ctid then
    raise exception 'a listing''s CTID never changes' using errcode = 'check_violation';
  end if;
  return new;
end $$;
create trigger credentials_keep_ctid before insert or update of ce_ctid on credentials
  for each row execute function keep_ctid();

-- registry.domain.completeness: twelve elements; now the workload, the delivery mode, the
-- assessment and an https page may be missing too.
alter table credentials drop column completeness;
alter table credentials add column completeness real generated always as (round(((12
    - (description = '{}')::int
    - (learning_outcomes = '[]')::int
    - (level_framework is null and coalesce(btrim(level_reason), '') = '')::int
    - (coalesce(btrim(quality_assurance), '') = '')::int
    - (cardinality(languages) = 0)::int
    - (workload_hours is null)::int
    - (delivery_mode is null)::int
    - (assessment is null)::int
    - (url !~ '^https://')::int)::numeric / 12), 4)::real) stored;

-- Keywords join the outcomes, provider and skills at weight B.
drop function refresh_credential_search(uuid[]);
drop function search_material(jsonb, jsonb, jsonb, jsonb, jsonb);
create function search_material(title jsonb, description jsonb, outcomes jsonb, keywords jsonb,
                                provider_name jsonb, skill_labels jsonb, out doc tsvector, out title_text text)
  language sql immutable parallel safe as $$
  select setweight(to_tsvector('english', f_unaccent(non_french_text(title))), 'A')
      || setweight(to_tsvector('french', f_unaccent(french_text(title))), 'A')
      || setweight(to_tsvector('english', f_unaccent(concat_ws(' ', non_french_text(provider_name),
                   non_french_text(skill_labels), non_french_text(outcomes), non_french_text(keywords)))), 'B')
      || setweight(to_tsvector('french', f_unaccent(concat_ws(' ', french_text(provider_name),
                   french_text(skill_labels), french_text(outcomes), french_text(keywords)))), 'B')
      || setweight(to_tsvector('english', f_unaccent(non_french_text(description))), 'C')
      || setweight(to_tsvector('french', f_unaccent(french_text(description))), 'C'),
         lower(f_unaccent(language_map_text(title)))
$$;
create function refresh_credential_search(ids uuid[]) returns void language sql as $$
  update credentials c set search_doc = m.doc, title_text = m.title_text
    from credentials x
    join providers p on p.id = x.provider_id
    cross join lateral search_material(
      x.title, x.description, x.learning_outcomes, x.keywords, p.name,
      coalesce((select jsonb_agg(s.label order by cs.position) from credential_skills cs
                  join skills s on s.id = cs.skill_id where cs.credential_id = x.id), '[]'::jsonb)) m
   where x.id = any(ids) and c.id = x.id
$$;
"""

DOWN = r"""
drop function refresh_credential_search(uuid[]);
drop function search_material(jsonb, jsonb, jsonb, jsonb, jsonb, jsonb);
create function search_material(title jsonb, description jsonb, outcomes jsonb, provider_name jsonb,
                                skill_labels jsonb, out doc tsvector, out title_text text)
  language sql immutable parallel safe as $$
  select setweight(to_tsvector('english', f_unaccent(non_french_text(title))), 'A')
      || setweight(to_tsvector('french', f_unaccent(french_text(title))), 'A')
      || setweight(to_tsvector('english', f_unaccent(concat_ws(' ', non_french_text(provider_name),
                   non_french_text(skill_labels), non_french_text(outcomes)))), 'B')
      || setweight(to_tsvector('french', f_unaccent(concat_ws(' ', french_text(provider_name),
                   french_text(skill_labels), french_text(outcomes)))), 'B')
      || setweight(to_tsvector('english', f_unaccent(non_french_text(description))), 'C')
      || setweight(to_tsvector('french', f_unaccent(french_text(description))), 'C'),
         lower(f_unaccent(language_map_text(title)))
$$;
create function refresh_credential_search(ids uuid[]) returns void language sql as $$
  update credentials c set search_doc = m.doc, title_text = m.title_text
    from credentials x
    join providers p on p.id = x.provider_id
    cross join lateral search_material(
      x.title, x.description, x.learning_outcomes, p.name,
      coalesce((select jsonb_agg(s.label order by cs.position) from credential_skills cs
                  join skills s on s.id = cs.skill_id where cs.credential_id = x.id), '[]'::jsonb)) m
   where x.id = any(ids) and c.id = x.id
$$;
alter table credentials drop column completeness;
alter table credentials add column completeness real generated always as (round(((12
    - (description = '{}')::int
    - (learning_outcomes = '[]')::int
    - (level_framework is null and coalesce(btrim(level_reason), '') = '')::int
    - (coalesce(btrim(quality_assurance), '') = '')::int
    - (cardinality(languages) = 0)::int)::numeric / 12), 4)::real) stored;
drop trigger credentials_keep_ctid on credentials;
drop function keep_ctid();
alter table credentials
  drop column cost_items,
  drop column keywords,
  drop column ce_ctid,
  drop constraint credentials_url_check,
  add constraint credentials_url_check check (url ~ '^https://[^\s/]+[^\s]*$'),
  drop constraint credentials_publishable,
  alter column workload_hours set not null,
  alter column delivery_mode set not null,
  alter column pace set not null,
  alter column assessment set not null;
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
