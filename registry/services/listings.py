"""Listings: create, update, publish, retire and link, each in one transaction that writes the
change, its version and its change-feed entry together or not at all.

Shared by the GraphQL mutations and anything else that writes one listing; batches go
through registry.services.submission, which checks references the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

import asyncpg

from registry.db import Database, Executor
from registry.domain import harvesting, ids
from registry.domain.errors import Outcome, Problem
from registry.domain.listings import (
    MAX_LINKS,
    ListingChanges,
    check_changes,
    check_ctid,
    check_publishable,
    partner_problems,
)
from registry.domain.principals import Forbidden, Principal
from registry.domain.records import Credential
from registry.store import credentials as credential_store
from registry.store import listing_sources, listings
from registry.store import providers as provider_store


@dataclass
class References:
    """What the skills, occupations, delivery partners and CTIDs named by some listing changes
    refer to."""

    unknown_skills: set[UUID] = field(default_factory=set)
    occupations: dict[str, UUID] = field(default_factory=dict)
    ctid_holders: dict[str, UUID] = field(default_factory=dict)
    providers: set[UUID] = field(default_factory=set)

    def problems(self, changes: ListingChanges, owner_id: UUID, existing: Credential | None = None) -> list[Problem]:
        """The skills, occupation codes and partners of ``changes`` (for a listing of
        ``owner_id``) that name nothing or the owner, and a CTID that is another listing's or
        would change ``existing``'s."""
        found = check_ctid(existing, changes, self.ctid_holders) + partner_problems(changes, owner_id, self.providers)
        found += [
            Problem(("credential", "skillIds"), "UNKNOWN_SKILL", f"No skill has the ID {ids.encode('Skill', s)!r}.")
            for s in changes.skill_ids or []
            if s in self.unknown_skills
        ]
        return found + [
            Problem(("credential", "occupationCodes"), "UNKNOWN_OCCUPATION", f"No occupation has the code {code!r}.")
            for code in changes.occupation_codes or []
            if code not in self.occupations
        ]

    def occupation_ids(self, changes: ListingChanges) -> list[UUID] | None:
        """The occupations ``changes`` names (None when it leaves them as they are)."""
        if changes.occupation_codes is None:
            return None
        return [self.occupations[c] for c in changes.occupation_codes if c in self.occupations]


async def references(tx: Executor, changes: Sequence[ListingChanges]) -> References:
    """Look up every skill, occupation, partner and CTID the changes name, a statement for each kind."""
    skills = list({s for c in changes for s in c.skill_ids or []})
    codes = list({code for c in changes for code in c.occupation_codes or []})
    ctids = list({c.ctid for c in changes if c.ctid})
    partners = list({p for c in changes for p in c.offered_by_provider_ids or []})
    return References(
        unknown_skills=set(await listings.unknown_skills(tx, skills)) if skills else set(),
        occupations=await listings.occupations_by_code(tx, codes) if codes else {},
        ctid_holders=await listings.ids_by_ctid(tx, ctids) if ctids else {},
        providers=await listings.known_providers(tx, partners) if partners else set(),
    )


def acting_provider(principal: Principal, provider_id: UUID | None) -> Outcome[UUID]:
    """The provider whose listings a write is for: ``provider_id`` when named (operators must
    name one), else the principal's own; Forbidden when the principal may not act for it."""
    provider_id = provider_id or principal.provider_id
    if provider_id is None:
        return Outcome.refused(
            Problem(("providerId",), "REQUIRED", "Name the `providerId` (operators and publishers always do).")
        )
    if not principal.may_act_for_provider(provider_id):
        raise Forbidden("This client may not write listings of that provider.")
    return Outcome(provider_id)


async def create(
    db: Database, principal: Principal, provider_id: UUID | None, changes: ListingChanges
) -> Outcome[Credential]:
    """A new draft for ``provider_id`` (None: the principal's own provider)."""
    acting = acting_provider(principal, provider_id)
    if acting.value is None:
        return Outcome.refused(*acting.problems)
    provider_id = acting.value
    problems = check_changes(changes, creating=True)
    duplicate = _duplicate(changes)
    try:
        async with db.transaction() as tx:
            found = await references(tx, [changes])
            problems += found.problems(changes, provider_id)
            if problems:
                return Outcome.refused(*problems)
            if changes.external_id and await listings.lock_by_external_ids(tx, provider_id, [changes.external_id]):
                return Outcome.refused(duplicate)
            made = await listings.create(
                tx, provider_id, changes, found.occupation_ids(changes) or [], principal.client_id
            )
    except asyncpg.UniqueViolationError as error:  # a concurrent write took the same key first
        return Outcome.refused(_taken(error, changes))
    return Outcome(made)


async def update(
    db: Database, principal: Principal, credential_id: UUID | None, expected_version: int, changes: ListingChanges
) -> Outcome[Credential]:
    """Change a listing, if nobody changed it since ``expected_version``."""
    problems = check_changes(changes, creating=False)
    try:
        async with db.transaction() as tx:
            listing, missing = await locked_own(tx, principal, credential_id)
            if listing is None:
                return Outcome.refused(*missing)
            found = await references(tx, [changes])
            problems += found.problems(changes, listing.provider_id, listing)
            if problems:
                return Outcome.refused(*problems)
            try:
                updated = await listings.update(
                    tx, listing.id, expected_version, changes, found.occupation_ids(changes), principal.client_id
                )
            except listings.VersionConflict as conflict:
                return Outcome.refused(
                    Problem(
                        ("expectedVersion",),
                        "CONFLICT",
                        f"The listing is at version {conflict.current_version}, not "
                        f"{expected_version}: read it again and retry.",
                    )
                )
    except asyncpg.UniqueViolationError as error:  # a concurrent write took the same key first
        return Outcome.refused(_taken(error, changes))
    return Outcome(updated)


async def publish(
    db: Database, principal: Principal, credential_id: UUID | None, expected_version: int | None
) -> Outcome[Credential]:
    """Publish a listing that has every mandatory element (only ``expected_version``, if given)."""
    async with db.transaction() as tx:
        listing, missing = await locked_own(tx, principal, credential_id)
        if listing is None:
            return Outcome.refused(*missing)
        if expected_version is not None and expected_version != listing.version:
            return Outcome.refused(
                Problem(
                    ("expectedVersion",),
                    "CONFLICT",
                    f"The listing is at version {listing.version}, not {expected_version}.",
                )
            )
        if listing.status == "PUBLISHED":
            return Outcome.refused(Problem(("id",), "ALREADY_PUBLISHED", "The listing is published already."))
        if problems := check_publishable(listing):
            return Outcome.refused(*problems)
        return Outcome(await listings.set_status(tx, listing.id, "PUBLISHED", principal.client_id))


async def retire(db: Database, principal: Principal, credential_id: UUID | None, reason: str) -> Outcome[Credential]:
    """Retire a listing: never listed again, still resolvable by ID once it was published."""
    if not reason.strip():
        return Outcome.refused(Problem(("reason",), "REQUIRED", "Say why the listing is retired."))
    async with db.transaction() as tx:
        listing, missing = await locked_own(tx, principal, credential_id)
        if listing is None:
            return Outcome.refused(*missing)
        if listing.status == "RETIRED":
            return Outcome.refused(Problem(("id",), "ALREADY_RETIRED", "The listing is retired already."))
        return Outcome(await listings.set_status(tx, listing.id, "RETIRED", principal.client_id, reason.strip()))


async def transfer(
    db: Database, principal: Principal, credential_id: UUID | None, to_provider_id: UUID | None, reason: str
) -> Outcome[Credential]:
    """Move a listing to another provider, keeping its ID, CTID, history, recognitions and
    offerings: operators may, and a publisher acting for both providers; no one else, so that
    no provider can take another's listing."""
    if not reason.strip():
        return Outcome.refused(Problem(("reason",), "REQUIRED", "Say why the listing moves."))
    if len(reason) > 2000:
        return Outcome.refused(Problem(("reason",), "OUT_OF_RANGE", "`reason` may be at most 2,000 characters."))
    if not principal.is_admin and principal.provider_id is not None:
        raise Forbidden("A provider's client cannot move listings: operators, or a publisher acting for both, do.")
    async with db.transaction() as tx:
        listing, missing = await locked_own(tx, principal, credential_id)
        if listing is None:
            return Outcome.refused(*missing)
        if to_provider_id is None or not await provider_store.by_ids(tx, [to_provider_id]):
            return Outcome.refused(Problem(("toProviderId",), "NOT_FOUND", "No provider has this ID."))
        if not principal.may_act_for_provider(to_provider_id):
            raise Forbidden("This client may not write listings of the receiving provider.")
        if to_provider_id == listing.provider_id:
            return Outcome.refused(
                Problem(("toProviderId",), "SAME_PROVIDER", "The listing is that provider's already.")
            )
        key = listing.external_id
        if key and await listings.lock_by_external_ids(tx, to_provider_id, [key]):
            return Outcome.refused(
                Problem(("toProviderId",), "DUPLICATE", f"The receiving provider already has a listing {key!r}.")
            )
        return Outcome(await listings.transfer(tx, listing.id, to_provider_id, principal.client_id, reason.strip()))


async def link(
    db: Database, principal: Principal, from_id: UUID | None, to_id: UUID | None, kind: str
) -> Outcome[Credential]:
    """Link one of the principal's listings to another it may see; never twice, never a cycle."""
    async with db.transaction() as tx:
        await listings.serialize_links(tx)  # before any row lock: one order for every link write
        source, missing = await locked_own(tx, principal, from_id, field="fromId")
        if source is None:
            return Outcome.refused(*missing)
        if await listings.links_from(tx, source.id) >= MAX_LINKS:
            return Outcome.refused(
                Problem(("fromId",), "TOO_MANY_LINKS", f"A listing links to at most {MAX_LINKS} others.")
            )
        visible = await credential_store.by_ids(tx, [to_id], principal.visibility) if to_id else {}
        target = visible.get(to_id) if to_id else None
        if target is None:
            return Outcome.refused(Problem(("toId",), "NOT_FOUND", _not_found(to_id)))
        if target.id == source.id:
            return Outcome.refused(Problem(("toId",), "SELF_LINK", "A listing cannot link to itself."))
        if await listings.link_would_cycle(tx, source.id, target.id, kind):
            return Outcome.refused(Problem(("toId",), "CYCLE", f"The target already leads back here by {kind}."))
        linked, _ = await listings.add_link(tx, source.id, target.id, kind, principal.client_id)
    return Outcome(linked)


async def locked_own(
    tx: Executor, principal: Principal, credential_id: UUID | None, field: str = "id"
) -> tuple[Credential | None, list[Problem]]:
    """The listing, locked, if the principal may change it. A listing it may not even see is
    NOT_FOUND (its existence is not told); one it sees but does not own is Forbidden."""
    listing = await listings.lock(tx, credential_id) if credential_id else None
    if listing is None or not principal.visibility.may_see(listing.provider_id, listing.published_at):
        return None, [Problem((field,), "NOT_FOUND", _not_found(credential_id))]
    if not principal.may_act_for_provider(listing.provider_id):
        raise Forbidden("This listing belongs to another provider.")
    harvested = await listing_sources.sources_of(tx, [listing.id])
    problem = harvesting.refusal((field,), harvested.get(listing.id), None)
    return (None, [problem]) if problem else (listing, [])


def _taken(error: asyncpg.UniqueViolationError, changes: ListingChanges) -> Problem:
    """The problem of a key another listing took between the check and the write."""
    if error.constraint_name == "credentials_ce_ctid_key":
        return Problem(
            ("credential", "ctid"), "DUPLICATE_CTID", f"Another listing already has the CTID {changes.ctid!r}."
        )
    return _duplicate(changes)


def _duplicate(changes: ListingChanges) -> Problem:
    return Problem(
        ("credential", "externalId"), "DUPLICATE", f"Your institution already has a listing {changes.external_id!r}."
    )


def _not_found(credential_id: UUID | None) -> str:
    if credential_id is None:
        return "No credential has this ID."
    return f"No credential has the ID {ids.encode('Credential', credential_id)!r}."
