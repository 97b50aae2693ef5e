"""Recognitions: an authority records that it recognises a published listing, or revokes
that; each in one transaction with its change-feed entry."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from registry.db import Database
from registry.domain import ids
from registry.domain.errors import Outcome, Problem
from registry.domain.principals import Forbidden, Principal
from registry.domain.records import Recognition
from registry.store import listings
from registry.store import recognitions as store

MAX_NOTE = 2000


async def recognize(
    db: Database,
    principal: Principal,
    *,
    credential_id: UUID | None,
    authority: UUID | None,
    authority_named: bool,
    kind: str,
    valid_from: date | None,
    valid_until: date | None,
    note: str | None,
    today: date,
) -> Outcome[Recognition]:
    """Record that an authority recognises a published listing: ``authority`` when the caller
    named one (``authority_named``; None if what it named is no authority's ID), else the
    principal's own."""
    if authority_named and not (authority is not None and principal.may_act_for_authority(authority)):
        raise Forbidden("A client may only recognise as its own authority.")
    authority_id = authority if authority_named else principal.authority_id
    if authority_id is None:
        raise Forbidden("Only an authority's client (or an operator naming `authorityId`) can recognise.")
    problems = []
    if valid_until and valid_until < (valid_from or today):
        problems.append(Problem(("validUntil",), "EMPTY_RANGE", "`validUntil` is before `validFrom`."))
    if note is not None and len(note) > MAX_NOTE:
        problems.append(Problem(("note",), "OUT_OF_RANGE", f"`note` may be at most {MAX_NOTE:,} characters."))
    async with db.transaction() as tx:
        listing = await listings.lock(tx, credential_id) if credential_id else None
        if listing is None or listing.status != "PUBLISHED":
            problems.append(Problem(("credentialId",), "NOT_FOUND", "No published credential has this ID."))
        if problems or listing is None:
            return Outcome.refused(*problems)
        made = await store.create_recognition(
            tx,
            credential_id=listing.id,
            authority_id=authority_id,
            kind=kind,
            valid_from=valid_from,
            valid_until=valid_until,
            note=note,
        )
    return Outcome(made)


async def revoke(db: Database, principal: Principal, recognition_id: UUID | None, reason: str) -> Outcome[Recognition]:
    """Revoke a recognition the principal's authority made; it stays on record, marked revoked."""
    if not reason.strip():
        return Outcome.refused(Problem(("reason",), "REQUIRED", "Say why the recognition is revoked."))
    async with db.transaction() as tx:
        found = await store.lock_recognition(tx, recognition_id) if recognition_id else None
        if found is None:
            shown = ids.encode("Recognition", recognition_id) if recognition_id else None
            return Outcome.refused(
                Problem(
                    ("id",),
                    "NOT_FOUND",
                    f"No recognition has the ID {shown!r}." if shown else "No recognition has this ID.",
                )
            )
        if not principal.may_act_for_authority(found.authority_id):
            raise Forbidden("Only the authority that made a recognition can revoke it.")
        if found.revoked_at is not None:
            return Outcome.refused(Problem(("id",), "ALREADY_REVOKED", "The recognition is revoked already."))
        return Outcome(await store.revoke(tx, found.id, reason.strip()))
