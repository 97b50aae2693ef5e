"""The stack around a listing: the links that point at it (the mirror of its own), and the
listings its PART_OF and PREPARES_FOR links lead to, or that lead to it, up to five links away.

Each is a :class:`Nested`, for DataLoaders and listing bundles alike. A walk only goes through
listings the viewer may read (a draft in the middle of a stack hides what lies beyond it from
those who may not see the draft), stops at ``MAX_PATHWAY_DEPTH`` links, and meets each listing once, at
its nearest (cycles mixing the two kinds, A part of B preparing for A, end there too).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence
from uuid import UUID

from registry.db import Executor
from registry.domain.listings import MAX_BACKLINKS, MAX_PATHWAY_DEPTH, MAX_PATHWAY_STEPS
from registry.domain.records import Credential, PathwayStep
from registry.domain.search import Visibility
from registry.store import credentials
from registry.store.nesting import OWNER, Nested, per_owner
from registry.store.sql import Params

STACKING = "l.kind <> 'SUPERSEDES'"  # the kinds a stack is made of: PART_OF, PREPARES_FOR


def backlinks(params: Params, viewer: Visibility) -> Nested[tuple[str, Credential]]:
    """The links pointing at a listing from listings ``viewer`` may see: (kind, source)."""
    return Nested(
        f"l.kind::text as link_kind, {credentials.COLUMNS}",
        f"from credential_links l join credentials c on c.id = l.from_id where l.to_id = {OWNER}"
        f" and {credentials.visible_by_id(params, viewer)} order by l.kind, l.created_at, l.from_id"
        f" limit {MAX_BACKLINKS}",
        lambda row: (row["link_kind"], credentials.build(row)),
    )


def pathway(
    params: Params, viewer: Visibility, direction: str, max_depth: int = MAX_PATHWAY_DEPTH
) -> Nested[PathwayStep]:
    """The listings a listing leads to (``LEADS_TO``) or builds on (``BUILDS_ON``), nearest first."""
    near, far = ("from_id", "to_id") if direction == "LEADS_TO" else ("to_id", "from_id")
    visible = credentials.visible_by_id(params, viewer)
    walk = (
        "with recursive walk(id, depth, kind) as ("
        f" select l.{far}, 1, l.kind from credential_links l join credentials c on c.id = l.{far}"
        f"  where l.{near} = {OWNER} and {STACKING} and {visible}"
        " union"
        f" select l.{far}, w.depth + 1, l.kind from walk w join credential_links l on l.{near} = w.id"
        f"  join credentials c on c.id = l.{far}"
        f"  where {STACKING} and w.depth < {int(max_depth)} and {visible})"
        f" select distinct on (id) id, depth, kind from walk where id <> {OWNER} order by id, depth, kind"
    )

    def build(row: Mapping[str, Any]) -> PathwayStep:
        return PathwayStep(direction, row["step_kind"], row["step_depth"], credentials.build(row))

    return Nested(
        f"p.depth as step_depth, p.kind::text as step_kind, {credentials.COLUMNS}",
        f"from ({walk}) p join credentials c on c.id = p.id order by p.depth, p.kind, c.id limit {MAX_PATHWAY_STEPS}",
        build,
    )


async def backlinks_of(
    db: Executor, credential_ids: Sequence[UUID], viewer: Visibility
) -> dict[UUID, list[tuple[str, Credential]]]:
    """The links pointing at each listing that ``viewer`` may see: (kind, source)."""
    params = Params(list(credential_ids))
    return await per_owner(db, credential_ids, backlinks(params, viewer), params.values[1:])


async def pathways_of(
    db: Executor, credential_ids: Sequence[UUID], viewer: Visibility
) -> dict[UUID, list[PathwayStep]]:
    """What each listing leads to, then what it builds on, nearest first, as ``viewer`` may see."""
    params = Params(list(credential_ids))
    both = [pathway(params, viewer, direction) for direction in ("LEADS_TO", "BUILDS_ON")]
    rows = await db.fetch(
        f"select _owner.id, {both[0].sql('_owner.id')} as leads_to, {both[1].sql('_owner.id')} as builds_on"
        " from unnest($1::uuid[]) as _owner(id)",
        *params.values,
    )
    return {row["id"]: both[0].records(row["leads_to"]) + both[1].records(row["builds_on"]) for row in rows}
