"""Offerings: a provider adds, changes and cancels the runs of its listings; each in one
transaction with the offering's version and its change-feed entry.

The listing rules apply: only its provider (or an operator) writes, a harvested listing's
offerings are its source's, and a change names the version it was made from when it says so.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from registry.db import Database, Executor
from registry.domain import ids
from registry.domain.errors import Outcome, Problem
from registry.domain.offerings import (
    RETIRED,
    TOO_MANY,
    Offering,
    OfferingChanges,
    SetPlan,
    check_offering,
    clearing_problems,
    listing_region,
    over_the_limit,
    takes_offering_changes,
)
from registry.domain.principals import Principal
from registry.domain.records import Credential
from registry.interop.gazetteer import point_of
from registry.services.listings import locked_own
from registry.store import offerings as store


def with_coordinates(changes: OfferingChanges) -> OfferingChanges:
    """The change with its place's coordinates, from the bundled gazetteer when the provider
    gave none (its municipality's centre), so that searches `near` a place find it."""
    if changes.place is None:
        return changes
    return dataclasses.replace(changes, place=point_of(changes.place))


async def add(
    db: Database, principal: Principal, credential_id: UUID | None, changes: OfferingChanges
) -> Outcome[Offering]:
    """A new offering of one of the principal's listings."""
    changes = with_coordinates(changes)
    if problems := check_offering(changes):
        return Outcome.refused(*problems)
    try:
        async with db.transaction() as tx:
            listing, missing = await locked_own(tx, principal, credential_id, "credentialId")
            if listing is None:
                return Outcome.refused(*missing)
            if not takes_offering_changes(listing.status):
                return Outcome.refused(Problem(("credentialId",), "RETIRED", RETIRED))
            if problem := await _room_problem(tx, listing, SetPlan([changes], [], []), ("credentialId",)):
                return Outcome.refused(problem)
            return Outcome(await store.create(tx, listing.id, changes, principal.client_id))
    except asyncpg.UniqueViolationError:
        return Outcome.refused(_duplicate(changes))


async def update(
    db: Database,
    principal: Principal,
    offering_id: UUID | None,
    expected_version: int | None,
    changes: OfferingChanges,
) -> Outcome[Offering]:
    """Change an offering of one of the principal's listings (only ``expected_version``, if given)."""
    changes = with_coordinates(changes)
    try:
        async with db.transaction() as tx:
            offering, listing, missing = await _locked_own(tx, principal, offering_id)
            if offering is None or listing is None:
                return Outcome.refused(*missing)
            if expected_version is not None and expected_version != offering.version:
                return Outcome.refused(
                    Problem(
                        ("expectedVersion",),
                        "CONFLICT",
                        f"The offering is at version {offering.version}, not {expected_version}: read it again.",
                    )
                )
            if offering.cancelled_at is not None:
                return Outcome.refused(Problem(("id",), "CANCELLED", "A cancelled offering cannot change."))
            if problems := clearing_problems(changes) + check_offering(offering.applied(changes)):
                return Outcome.refused(*problems)
            if not offering.changed_by(changes):
                return Outcome(offering)
            if not takes_offering_changes(listing.status):
                return Outcome.refused(Problem(("id",), "RETIRED", RETIRED))
            if problem := await _room_problem(tx, listing, SetPlan([], [(offering, changes)], []), ("id",)):
                return Outcome.refused(problem)
            return Outcome(await store.update(tx, offering, changes, principal.client_id))
    except asyncpg.UniqueViolationError:
        return Outcome.refused(_duplicate(changes))


async def cancel(db: Database, principal: Principal, offering_id: UUID | None, reason: str) -> Outcome[Offering]:
    """Cancel an offering: it stays on record, marked cancelled, with why."""
    if not reason.strip():
        return Outcome.refused(Problem(("reason",), "REQUIRED", "Say why the offering is cancelled."))
    if len(reason) > 2000:
        return Outcome.refused(Problem(("reason",), "OUT_OF_RANGE", "`reason` may be at most 2,000 characters."))
    async with db.transaction() as tx:
        offering, _, missing = await _locked_own(tx, principal, offering_id)
        if offering is None:
            return Outcome.refused(*missing)
        if offering.cancelled_at is not None:
            return Outcome.refused(Problem(("id",), "ALREADY_CANCELLED", "The offering is cancelled already."))
        return Outcome(await store.cancel(tx, offering.id, reason.strip(), principal.client_id))


async def _room_problem(tx: Executor, listing: Credential, plan: SetPlan, field: tuple[str, ...]) -> Problem | None:
    """TOO_MANY when writing ``plan`` would take the (locked) listing past the limit."""
    current = (await store.of_listings(tx, [listing.id])).get(listing.id, [])
    if over_the_limit(current, plan, datetime.now(UTC), listing_region(listing.regions)):
        return Problem(field, "TOO_MANY", TOO_MANY)
    return None


async def _locked_own(
    tx: Executor, principal: Principal, offering_id: UUID | None
) -> tuple[Offering | None, Credential | None, list[Problem]]:
    """The offering and its listing, both locked, if the principal may change that listing; an
    offering of a listing it may not see is NOT_FOUND, like the listing."""
    found = await store.by_ids(tx, [offering_id]) if offering_id else {}
    offering = found.get(offering_id) if offering_id else None
    not_found = [Problem(("id",), "NOT_FOUND", _not_found(offering_id))]
    if offering is None:
        return None, None, not_found
    listing, missing = await locked_own(tx, principal, offering.credential_id)
    if listing is None:
        return None, None, not_found if any(p.code == "NOT_FOUND" for p in missing) else missing
    return await store.lock(tx, offering.id), listing, []


def _duplicate(changes: OfferingChanges) -> Problem:
    return Problem(
        ("offering", "externalId"), "DUPLICATE", f"This listing already has an offering {changes.external_id!r}."
    )


def _not_found(offering_id: UUID | None) -> str:
    if offering_id is None:
        return "No offering has this ID."
    return f"No offering has the ID {ids.encode('Offering', offering_id)!r}."
