"""The listing model: providers, credentials, taxonomy, recognitions, versions, change feed.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from alembic import op

from registry.migrate import execute_script

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ENUMS = {
    "credential_status": ["DRAFT", "PUBLISHED", "RETIRED"],
    "credential_type": ["MICRO_CREDENTIAL", "DIGITAL_BADGE", "CERTIFICATE", "COURSE"],
    "delivery_mode": ["ONLINE", "IN_PERSON", "HYBRID"],
    "pace": ["SELF_PACED", "SCHEDULED"],
    "assessment_type": ["EXAM", "PROJECT", "PORTFOLIO", "PRACTICAL_DEMONSTRATION", "OBSERVATION", "NONE"],
    "provider_kind": [
        "UNIVERSITY",
        "COLLEGE",
        "POLYTECHNIC",
        "INDIGENOUS_INSTITUTE",
        "PRIVATE_CAREER_COLLEGE",
        "INDUSTRY",
        "NON_PROFIT",
        "GOVERNMENT",
    ],
    "authority_kind": ["GOVERNMENT", "REGULATOR", "INDUSTRY_ASSOCIATION", "QUALITY_ASSURANCE_AGENCY", "EMPLOYER"],
    "recognition_kind": ["ENDORSED", "ACCREDITED", "APPROVED_FOR_FUNDING", "INDUSTRY_RECOGNIZED", "CREDIT_TRANSFER"],
    "credential_link_kind": ["PART_OF", "PREPARES_FOR", "SUPERSEDES"],
    "audience": [
        "YOUTH",
        "NEWCOMERS",
        "INDIGENOUS_LEARNERS",
        "WOMEN",
        "MID_CAREER_WORKERS",
        "PERSONS_WITH_DISABILITIES",
        "LOW_INCOME_WORKERS",
    ],
    "change_kind": ["CREATED", "UPDATED", "PUBLISHED", "RETIRED", "RECOGNIZED", "RECOGNITION_REVOKED"],
}

FUNCTIONS = r"""
-- unaccent() is only STABLE because it looks its dictionary up by name; naming the
-- dictionary explicitly makes the result fixed, so it can be used in indexes.
create function f_unaccent(text) returns text
  language sql immutable parallel safe strict
  as $$ select public.unaccent('public.unaccent'::regdictionary, $1) $$;

-- The value of a language map in `lang`, else its base language, else English, else any.
create function pick_lang(m jsonb, lang text) returns text
  language sql immutable parallel safe
  as $$
    select coalesce(m ->> lang, m ->> split_part(lang, '-', 1), m ->> 'en',
                    (select value from jsonb_each_text(m) order by key limit 1))
  $$;

create function is_language_tag(tag text) returns boolean
  language sql immutable parallel safe strict
  as $$ select tag ~ '^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$' $$;

-- A non-empty JSON object from BCP 47 tags to non-blank strings: {"en": "...", "fr": "..."}.
create function is_language_map(m jsonb) returns boolean
  language sql immutable parallel safe strict
  as $$
    select jsonb_typeof(m) = 'object' and m <> '{}'::jsonb
       and not exists (select 1 from jsonb_each(m) e
                       where not is_language_tag(e.key) or jsonb_typeof(e.value) <> 'string'
                          or btrim(e.value #>> '{}') = '')
  $$;

-- Seconds since 1970 of a moment: the same in every time zone, so it may be indexed
-- (extract() itself is only STABLE because its other fields depend on the zone).
create function epoch_of(moment timestamptz) returns float8
  language sql immutable parallel safe strict
  as $$ select extract(epoch from moment)::float8 $$;

create function all_match(items text[], pattern text) returns boolean
  language sql immutable parallel safe strict
  as $$ select coalesce(bool_and(x ~ pattern), true) from unnest(items) x $$;

create function all_language_maps(items jsonb) returns boolean
  language sql immutable parallel safe strict
  as $$
    select jsonb_typeof(items) = 'array'
       and coalesce((select bool_and(is_language_map(x)) from jsonb_array_elements(items) x), true)
  $$;

create function language_map_text(m jsonb) returns text
  language sql immutable parallel safe
  as $$ select coalesce((select string_agg(value, ' ' order by key) from jsonb_each_text(m)), '') $$;

create function refuse_change() returns trigger language plpgsql as $$
begin
  raise exception '% on % is not allowed: the registry keeps every record', tg_op, tg_table_name
    using errcode = 'restrict_violation';
end $$;
"""

TABLES = r"""
create table providers (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) <= 80),
  name jsonb not null check (is_language_map(name)),
  kind provider_kind not null,
  jurisdiction text not null check (jurisdiction ~ '^[A-Z]{2}-[A-Z0-9]{1,3}$'),
  website text check (website ~ '^https?://[^\s/]+[^\s]*$'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table recognition_authorities (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) <= 80),
  name jsonb not null check (is_language_map(name)),
  kind authority_kind not null,
  jurisdiction text not null check (jurisdiction ~ '^[A-Z]{2}(-[A-Z0-9]{1,3})?$'),
  website text check (website ~ '^https?://[^\s/]+[^\s]*$'),
  created_at timestamptz not null default now()
);

create table skills (
  id uuid primary key default gen_random_uuid(),
  scheme text not null check (scheme ~ '^[A-Za-z0-9_.-]{1,40}$'),
  code text not null check (length(code) between 1 and 200),
  label jsonb not null check (is_language_map(label)),
  label_text text generated always as (lower(f_unaccent(language_map_text(label)))) stored,
  unique (scheme, code)
);

create table occupations (
  id uuid primary key default gen_random_uuid(),
  scheme text not null check (scheme ~ '^[A-Za-z0-9_.-]{1,40}$'),
  code text not null check (length(code) between 1 and 40),
  title jsonb not null check (is_language_map(title)),
  title_text text generated always as (lower(f_unaccent(language_map_text(title)))) stored,
  unique (scheme, code)
);

create table credentials (
  id uuid primary key default gen_random_uuid(),
  provider_id uuid not null references providers (id),
  external_id text check (length(external_id) between 1 and 200),
  status credential_status not null default 'DRAFT',
  credential_type credential_type not null default 'MICRO_CREDENTIAL',
  title jsonb not null check (is_language_map(title)),
  description jsonb not null default '{}' check (description = '{}' or is_language_map(description)),
  learning_outcomes jsonb not null default '[]' check (all_language_maps(learning_outcomes)),
  level_framework text check (length(level_framework) between 1 and 80),
  level_value text check (length(level_value) between 1 and 40),
  workload_hours double precision not null check (workload_hours > 0 and workload_hours <= 10000),
  ects_credits double precision check (ects_credits >= 0 and ects_credits <= 240),
  duration_weeks double precision check (duration_weeks > 0 and duration_weeks <= 520),
  delivery_mode delivery_mode not null,
  pace pace not null,
  languages text[] not null default '{}' check (all_match(languages, '^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$')),
  regions text[] not null default '{}' check (all_match(regions, '^[A-Z]{2}(-[A-Z0-9]{1,3})?$')),
  cost_amount numeric(12, 2) check (cost_amount >= 0),
  cost_currency text check (cost_currency ~ '^[A-Z]{3}$'),
  assessment assessment_type not null,
  quality_assurance text,
  prerequisites jsonb check (is_language_map(prerequisites)),
  audiences audience[] not null default '{}',
  funding_programs text[] not null default '{}' check (all_match(funding_programs, '^\S.{0,199}$')),
  url text not null check (url ~ '^https://[^\s/]+[^\s]*$'),
  version integer not null default 1 check (version >= 1),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  published_at timestamptz,
  retired_at timestamptz,
  -- Search material, kept by refresh_credential_search(): never written by hand.
  search_doc tsvector not null default ''::tsvector,
  title_text text not null default '',
  unique (provider_id, external_id),
  check ((level_framework is null) = (level_value is null)),
  check ((cost_amount is null) = (cost_currency is null)),
  check (status <> 'PUBLISHED' or published_at is not null),
  check ((status = 'RETIRED') = (retired_at is not null))
);

create table credential_skills (
  credential_id uuid not null references credentials (id),
  skill_id uuid not null references skills (id),
  position smallint not null default 0,
  primary key (credential_id, skill_id)
);

create table credential_occupations (
  credential_id uuid not null references credentials (id),
  occupation_id uuid not null references occupations (id),
  position smallint not null default 0,
  primary key (credential_id, occupation_id)
);

create table credential_links (
  from_id uuid not null references credentials (id),
  to_id uuid not null references credentials (id),
  kind credential_link_kind not null,
  created_at timestamptz not null default now(),
  primary key (from_id, kind, to_id),
  check (from_id <> to_id)
);

create table recognitions (
  id uuid primary key default gen_random_uuid(),
  credential_id uuid not null references credentials (id),
  authority_id uuid not null references recognition_authorities (id),
  kind recognition_kind not null,
  valid_from date not null default current_date,
  valid_until date,
  note text check (length(note) <= 2000),
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  revoked_reason text,
  check (valid_until is null or valid_until >= valid_from),
  check ((revoked_at is null) = (revoked_reason is null))
);

-- Append-only history: one row per change of a listing, with the full snapshot.
create table credential_versions (
  credential_id uuid not null references credentials (id),
  version integer not null check (version >= 1),
  kind change_kind not null,
  changed_at timestamptz not null default now(),
  actor text not null,
  snapshot jsonb not null check (jsonb_typeof(snapshot) = 'object'),
  primary key (credential_id, version)
);

-- The ordered change feed portals follow.
create table changes (
  seq bigint generated always as identity primary key,
  credential_id uuid not null references credentials (id),
  version integer not null,
  kind change_kind not null,
  recognition_id uuid references recognitions (id),
  at timestamptz not null default now()
);
"""

INDEXES = r"""
create index credentials_search_doc on credentials using gin (search_doc);
create index credentials_title_trgm on credentials using gin (title_text gin_trgm_ops);
-- NEWEST order (registry.store.credentials.NEWEST_SQL), for search and for provider pages:
-- the first page is read straight off the index.
create index credentials_newest on credentials ((-epoch_of(coalesce(published_at, created_at))), id);
create index credentials_provider_newest on credentials
  (provider_id, (-epoch_of(coalesce(published_at, created_at))), id);
create index credentials_status on credentials (status);
create index credentials_regions on credentials using gin (regions);
create index credentials_languages on credentials using gin (languages);
create index credentials_audiences on credentials using gin (audiences);
create index credentials_updated on credentials (updated_at);
create index credential_skills_skill on credential_skills (skill_id);
create index credential_occupations_occupation on credential_occupations (occupation_id);
create index credential_links_to on credential_links (to_id);
create index recognitions_credential on recognitions (credential_id);
create index recognitions_authority on recognitions (authority_id);
create index changes_credential on changes (credential_id);
create index skills_label_trgm on skills using gin (label_text gin_trgm_ops);
create index occupations_title_trgm on occupations using gin (title_text gin_trgm_ops);
"""

GUARDS = r"""
create trigger credentials_never_deleted before delete on credentials
  for each row execute function refuse_change();
create trigger credential_versions_append_only before update or delete on credential_versions
  for each row execute function refuse_change();
create trigger changes_append_only before update or delete on changes
  for each row execute function refuse_change();
"""

SEARCH = r"""
-- The French (fr, fr-CA...) or the other texts of a language map, or of a list of them,
-- as one string for to_tsvector. jsonpath instead of jsonb_each keeps these inlinable:
-- they run once per text of 100,000 listings in a bulk load.
create function french_text(m jsonb) returns text
  language sql immutable parallel safe
  as $$ select jsonb_path_query_array(m, '$[*].keyvalue() ? (@.key == "fr" || @.key starts with "fr-").value')::text $$;

create function non_french_text(m jsonb) returns text
  language sql immutable parallel safe
  as $$ select jsonb_path_query_array(m, '$[*].keyvalue() ? (@.key != "fr" && !(@.key starts with "fr-")).value')::text $$;

-- A listing's search material from its texts, its provider's name and its skills' labels:
-- French text stemmed as French, everything else as English; titles weighted A, provider,
-- skills and outcomes B, description C; plus the lower-cased, accent-free titles for the
-- typo-tolerant trigram match. Bulk loads call it while inserting; refresh_credential_search
-- calls it after a change.
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

-- Recompute the search material of the given listings (after an edit, new skills, a provider rename).
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
"""

DROP = r"""
drop function if exists refresh_credential_search(uuid[]),
  search_material(jsonb, jsonb, jsonb, jsonb, jsonb), french_text(jsonb), non_french_text(jsonb);
drop table if exists changes, credential_versions, recognitions, credential_links,
  credential_occupations, credential_skills, credentials, occupations, skills,
  recognition_authorities, providers;
drop function if exists refuse_change(), language_map_text(jsonb), all_language_maps(jsonb),
  all_match(text[], text), is_language_map(jsonb), is_language_tag(text),
  pick_lang(jsonb, text), epoch_of(timestamptz), f_unaccent(text);
"""


def upgrade() -> None:
    op.execute("create extension if not exists pg_trgm")
    op.execute("create extension if not exists unaccent")
    for name, values in ENUMS.items():
        labels = ", ".join(f"'{v}'" for v in values)
        op.execute(f"create type {name} as enum ({labels})")
    execute_script(FUNCTIONS)
    execute_script(TABLES)
    execute_script(INDEXES)
    execute_script(GUARDS)
    execute_script(SEARCH)


def downgrade() -> None:
    execute_script(DROP)
    for name in reversed(list(ENUMS)):
        op.execute(f"drop type if exists {name}")
