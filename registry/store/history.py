"""Every change of a listing leaves a version (with a full snapshot) and a change-feed entry."""

from __future__ import annotations

from uuid import UUID

from registry.db import Executor
from registry.store.visibility import PUBLIC_LISTING

# A listing's snapshot: every column but the search material, the facet index's bookkeeping
# (migration 0020) and its currency (migration 0028: confirmations are not versions), plus
# its skill and occupation codes and its delivery partners' IDs, for the listings in $1 (one row each: id, snapshot).
SNAPSHOTS_SQL = """
  select c.id,
         (to_jsonb(c) - 'search_doc' - 'title_text' - 'ce_ctid' - 'ordinal' - 'changed_xid'
          - 'last_verified_at' - 'verification_reminded_at' || jsonb_build_object('ctid', c.ce_ctid))
         || jsonb_build_object('skills', coalesce(sk.codes, '[]'::jsonb), 'occupations', coalesce(oc.codes, '[]'::jsonb),
                               'offered_by', coalesce(pa.ids, '[]'::jsonb))
         as snapshot
    from unnest($1::uuid[]) as t(id)
    join credentials c on c.id = t.id
    left join (select cs.credential_id,
                      jsonb_agg(jsonb_build_object('scheme', s.scheme, 'code', s.code) order by cs.position) as codes
                 from unnest($1::uuid[]) as t(id) join credential_skills cs on cs.credential_id = t.id
                 join skills s on s.id = cs.skill_id group by cs.credential_id) sk on sk.credential_id = c.id
    left join (select co.credential_id,
                      jsonb_agg(jsonb_build_object('scheme', o.scheme, 'code', o.code) order by co.position) as codes
                 from unnest($1::uuid[]) as t(id) join credential_occupations co on co.credential_id = t.id
                 join occupations o on o.id = co.occupation_id group by co.credential_id) oc on oc.credential_id = c.id
    left join (select cp.credential_id, jsonb_agg(cp.provider_id order by cp.position) as ids
                 from unnest($1::uuid[]) as t(id) join credential_partners cp on cp.credential_id = t.id
                group by cp.credential_id) pa on pa.credential_id = c.id
"""


async def record_change(db: Executor, credential_id: UUID, kind: str, actor: str, note: str | None = None) -> None:
    """Append the listing's current state as a version of ``kind``, and its change-feed entry.

    Call inside the transaction that made the change, after it, so both land or neither.
    """
    await record_changes(db, [credential_id], kind, actor, note)


async def record_changes(
    db: Executor, credential_ids: list[UUID], kind: str, actor: str, note: str | None = None
) -> None:
    """``record_change`` for many listings in one statement."""
    await db.execute(
        f"""
        with snap as ({SNAPSHOTS_SQL}),
        version as (
          insert into credential_versions (credential_id, version, kind, actor, snapshot, note, listed)
          select c.id, c.version, $2::change_kind, $3, snap.snapshot, $4, {PUBLIC_LISTING}
            from snap join credentials c on c.id = snap.id
          returning credential_id, version, kind, changed_at, listed)
        insert into changes (credential_id, version, kind, at, listed)
        select credential_id, version, kind, changed_at, listed from version order by credential_id
        """,
        list(credential_ids),
        kind,
        actor,
        note,
    )
