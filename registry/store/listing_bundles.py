"""Listings with what hangs off them (provider, delivery partners, skills, occupations, links
and their targets, the links to them and the stack around them, recognitions and their
authorities, offerings, the first page of history) in one statement.

A credential page or a search page asks for a listing and several of its relations; fetched
one DataLoader at a time that is a statement per relation. A bundle is the same rows (the same
``Nested`` selections the loaders use) as array columns of the listing's row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Sequence
from uuid import UUID

from registry.db import Executor
from registry.domain.offerings import Offering
from registry.domain.records import (
    Authority,
    Credential,
    CredentialLink,
    CredentialVersion,
    Occupation,
    PathwayStep,
    Provider,
    Recognition,
    Skill,
)
from registry.domain.search import Visibility
from registry.store import credentials, offerings, pathways, providers, recognitions
from registry.store.nesting import Nested
from registry.store.paging import Page
from registry.store.sql import Params


class Part(Enum):
    """A relation of a listing a bundle can carry."""

    PROVIDER = "provider"
    PARTNERS = "partners"  # delivery partners, as providers
    SKILLS = "skills"
    OCCUPATIONS = "occupations"
    LINKS = "links"  # with the targets the viewer may see
    BACKLINKS = "backlinks"  # the links pointing at it, from listings the viewer may see
    PATHWAY = "pathway"  # what it leads to and builds on
    RECOGNITIONS = "recognitions"  # with their authorities
    OFFERINGS = "offerings"
    HISTORY_COUNT = "history_count"


@dataclass(frozen=True)
class Wanted:
    """What to bring with each listing: relations, and first pages of history of these sizes."""

    parts: frozenset[Part] = frozenset()
    history_sizes: frozenset[int] = frozenset()


@dataclass
class Bundle:
    """A listing and the relations asked for (None: not asked)."""

    listing: Credential | None  # None when the caller has it already (see bundles)
    provider: Provider | None = None
    partners: list[Provider] | None = None
    skills: list[Skill] | None = None
    occupations: list[Occupation] | None = None
    links: list[CredentialLink] | None = None
    link_targets: dict[UUID, Credential] = field(default_factory=dict)
    backlinks: list[tuple[str, Credential]] | None = None
    pathway: list[PathwayStep] | None = None
    recognitions: list[Recognition] | None = None
    authorities: list[Authority] = field(default_factory=list)
    offerings: list[Offering] | None = None
    history: dict[int, Page[CredentialVersion]] = field(default_factory=dict)
    history_count: int | None = None


def _columns(params: Params, viewer: Visibility, wanted: Wanted) -> dict[str, tuple[str, Nested[Any] | None]]:
    """Column name -> (SQL, the Nested it selects, or None for a plain value)."""
    chosen: dict[str, tuple[str, Nested[Any] | None]] = {}

    def add(name: str, nested: Nested[Any], owner: str = "listing.id") -> None:
        chosen[name] = (nested.sql(owner), nested)

    if Part.PROVIDER in wanted.parts:
        add("_provider", providers.BY_ID, "listing.provider_id")
    if Part.PARTNERS in wanted.parts:
        add("_partners", providers.PARTNERS_OF_CREDENTIAL)
    if Part.SKILLS in wanted.parts:
        add("_skills", credentials.SKILLS)
    if Part.OCCUPATIONS in wanted.parts:
        add("_occupations", credentials.OCCUPATIONS)
    if Part.LINKS in wanted.parts:
        add("_links", credentials.LINKS)
        add("_link_targets", credentials.link_targets(params, viewer))
    if Part.BACKLINKS in wanted.parts:
        add("_backlinks", pathways.backlinks(params, viewer))
    if Part.PATHWAY in wanted.parts:
        add("_leads_to", pathways.pathway(params, viewer, "LEADS_TO"))
        add("_builds_on", pathways.pathway(params, viewer, "BUILDS_ON"))
    if Part.RECOGNITIONS in wanted.parts:
        add("_recognitions", recognitions.OF_CREDENTIAL)
        add("_authorities", recognitions.AUTHORITIES_OF_CREDENTIAL)
    if Part.OFFERINGS in wanted.parts:
        add("_offerings", offerings.OF_CREDENTIAL)
    for size in sorted(wanted.history_sizes):
        add(_history_column(size), credentials.history_first_page(params, viewer, size))
    if Part.HISTORY_COUNT in wanted.parts:
        chosen["_history_count"] = (credentials.history_count(params, viewer, "listing.id"), None)
    return chosen


async def bundles(
    db: Executor, ids: Sequence[UUID], viewer: Visibility, wanted: Wanted, *, listings: bool = True
) -> dict[UUID, Bundle]:
    """The listings with these IDs that ``viewer`` may see, each with what ``wanted`` names,
    keyed by ID: one statement whatever is asked. Without ``listings``, only what hangs off
    them (for listings the caller has just read, e.g. a search page)."""
    params = Params(list(ids))
    visible = credentials.visible_by_id(params, viewer)
    columns = _columns(params, viewer, wanted)
    extra = "".join(f", {sql} as {name}" for name, (sql, _) in columns.items())
    own = credentials.COLUMNS if listings else "c.id, c.provider_id"
    rows = await db.fetch(
        f"select listing.*{extra} from (select {own} from credentials c"
        f" where c.id = any($1::uuid[]) and {visible}) as listing",
        *params.values,
    )
    found = {}
    for row in rows:
        values = {name: nested.records(row[name]) if nested else row[name] for name, (_, nested) in columns.items()}
        found[row["id"]] = _bundle(credentials.build(row) if listings else None, values, wanted.history_sizes)
    return found


def _history_column(size: int) -> str:
    return f"_history_{size}"


def _bundle(listing: Credential | None, values: dict[str, Any], history_sizes: frozenset[int]) -> Bundle:
    provider = values.get("_provider")
    return Bundle(
        listing=listing,
        provider=provider[0] if provider else None,
        partners=values.get("_partners"),
        skills=values.get("_skills"),
        occupations=values.get("_occupations"),
        links=values.get("_links"),
        link_targets={target.id: target for target in values.get("_link_targets", [])},
        backlinks=values.get("_backlinks"),
        pathway=values["_leads_to"] + values["_builds_on"] if "_leads_to" in values else None,
        recognitions=values.get("_recognitions"),
        authorities=values.get("_authorities", []),
        offerings=values.get("_offerings"),
        history={size: credentials.history_page(values[_history_column(size)], size) for size in history_sizes},
        history_count=values.get("_history_count"),
    )
