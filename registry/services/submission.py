"""Submitting many listings at once, by the provider's own keys: shared by the GraphQL
`submitCredentials` and `microcred import`.

Each item is checked and reported on its own; valid items are stored even when others
fail; the writes are set-based (a handful of statements whatever the batch size); an item
that changes nothing is not written again, so resubmitting a batch is harmless.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import NamedTuple

from registry.db import Database, Executor
from registry.domain import harvesting
from registry.domain.errors import Problem
from registry.domain.listings import ListingChanges, check_changes, check_publishable, type_problems
from registry.domain.offerings import (
    Offering,
    OfferingChanges,
    check_set,
    listing_region,
    plan_set,
)
from registry.domain.records import Credential
from registry.domain.search import Visibility
from registry.services.listings import references
from registry.services.offerings import with_coordinates
from registry.store import credentials as credential_store
from registry.store import history, listing_sources, listings
from registry.store import offerings as offering_store
from registry.store import providers as provider_store


class Item:
    """One submitted listing on its way through a batch. Problems' fields are relative to
    the item, like ("credential", "title")."""

    def __init__(self, index: int, changes: ListingChanges, problems: list[Problem] | None = None) -> None:
        self.index, self.changes, self.problems = index, changes, list(problems or [])
        self.existing: Credential | None = None  # the provider's listing with this key, if any
        self.credential_id: uuid.UUID | None = None  # set on every valid item by the write
        self.occupations: list[uuid.UUID] | None = None
        self.written = False
        self.notes: list[Problem] = []  # why a stored listing was not published
        self.stored: Credential | None = None  # the listing as stored, when it was
        self.offerings: list[OfferingChanges] | None = None  # its whole set of offerings, when given
        self.current_offerings: list[Offering] = []  # the offerings it has (once loaded)

    def refuse(self, field: str, code: str, message: str) -> None:
        self.problems.append(Problem(("credential", field), code, message))

    @property
    def unread(self) -> bool:
        """Nothing of it could be read (its problems say why), or not as the types it should
        be; no other check would add anything, nor could one run safely."""
        return bool(self.problems) and (
            not self.changes.given() or any(p.code == "INVALID_TYPE" for p in self.problems)
        )

    @property
    def created(self) -> bool:
        return not self.problems and self.existing is None

    @property
    def listing_id(self) -> uuid.UUID:
        """The ID of a valid item's listing, once the batch is written."""
        if self.credential_id is None:
            raise RuntimeError(f"submitted item {self.index} has no listing ID: it was not written")
        return self.credential_id


class _Tags(NamedTuple):
    """The skill, occupation and delivery partner IDs of stored listings, by listing."""

    skills: dict[uuid.UUID, list[uuid.UUID]]
    occupations: dict[uuid.UUID, list[uuid.UUID]]
    partners: dict[uuid.UUID, list[uuid.UUID]]


class _DryRun(Exception):
    """Raised to roll a dry run back once everything has been checked."""


async def submit(
    db: Database,
    provider_id: uuid.UUID,
    items: list[Item],
    *,
    actor: str,
    publish: bool,
    dry_run: bool = False,
    source: uuid.UUID | None = None,
) -> list[Item]:
    """Check and store ``items`` (in one transaction); each item says what happened to it.
    ``source`` is the harvest source writing them, if one is."""
    for item in items:
        item.problems += type_problems(item.changes)
    _check_keys(items)
    try:
        async with db.transaction() as tx:
            await _load_existing(tx, provider_id, items, source)
            await _check_references(tx, provider_id, items)
            await _check_offerings(tx, items)
            await _write(tx, provider_id, items, actor)
            await _write_offerings(tx, items, actor)
            if source is not None:  # the source's from this very transaction: no other writer gets between
                await listing_sources.claim(tx, source, [i.listing_id for i in items if not i.problems])
            if publish:
                await _publish(tx, items, actor)
            written = [i.listing_id for i in items if not i.problems]
            stored = await credential_store.by_ids(tx, written, Visibility(admin=True))
            for item in items:
                item.stored = stored.get(item.listing_id) if not item.problems else None
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return items


def _check_keys(items: list[Item]) -> None:
    seen: set[str | None] = set()
    ctids: set[str] = set()
    for item in (i for i in items if not i.unread):
        key, ctid = item.changes.external_id, item.changes.ctid
        if not key or not key.strip():
            item.refuse("externalId", "REQUIRED", "Each submitted listing needs its `externalId`.")
        elif key in seen:
            item.refuse("externalId", "DUPLICATE", f"{key!r} appears earlier in this batch.")
        if ctid in ctids:
            item.refuse("ctid", "DUPLICATE_CTID", f"{ctid!r} appears earlier in this batch.")
        seen.add(key)
        if ctid:
            ctids.add(ctid)


async def _load_existing(tx: Executor, provider_id: uuid.UUID, items: list[Item], source: uuid.UUID | None) -> None:
    """Each item's listing: the provider's one with its key, else the provider's one with its
    CTID (a CTID names one listing, so a document that carries it updates that listing). A
    harvested listing is refused unless ``source`` is its harvest source."""
    readable = [i for i in items if not i.unread]
    keys = [i.changes.external_id for i in readable if i.changes.external_id]
    by_key = await listings.lock_by_external_ids(tx, provider_id, keys)
    ctids = [i.changes.ctid for i in readable if i.changes.ctid and i.changes.external_id not in by_key]
    by_ctid = await listings.lock_by_ctids(tx, provider_id, ctids) if ctids else {}
    for item in readable:
        key, ctid = item.changes.external_id, item.changes.ctid
        item.existing = by_key.get(key) if key else None
        if item.existing is None and ctid:
            item.existing = by_ctid.get(ctid)
        item.problems += check_changes(item.changes, creating=item.existing is None)
    await _refuse_harvested(tx, [i for i in readable if i.existing], source)


async def _refuse_harvested(tx: Executor, items: list[Item], source: uuid.UUID | None) -> None:
    """Refuse the items whose listing is harvested, unless ``source`` is its harvest source."""
    harvested = await listing_sources.sources_of(tx, [i.existing.id for i in items if i.existing])
    for item in items:
        assert item.existing is not None
        problem = harvesting.refusal(("credential", "externalId"), harvested.get(item.existing.id), source)
        if problem:
            item.problems.append(problem)


async def _check_offerings(tx: Executor, items: list[Item]) -> None:
    """Check each whole set of offerings given against the offerings its listing has."""
    given = [i for i in items if i.offerings is not None and not i.unread]
    current = await offering_store.of_listings(tx, [i.existing.id for i in given if i.existing])
    now = datetime.now(UTC)
    for item in given:
        assert item.offerings is not None
        item.current_offerings = current.get(item.existing.id, []) if item.existing else []
        item.offerings = [with_coordinates(changes) for changes in item.offerings]
        regions = (
            item.changes.regions if item.changes.regions is not None or not item.existing else item.existing.regions
        )
        status = item.existing.status if item.existing else None
        problems = check_set(item.offerings, item.current_offerings, now, listing_region(regions), status)
        item.problems += [Problem(("credential", *p.field), p.code, p.message) for p in problems]


async def _write_offerings(tx: Executor, items: list[Item], actor: str) -> None:
    """Make each valid item's offerings its set as given: add, update, cancel (never delete)."""
    for item in (i for i in items if i.offerings is not None and not i.problems):
        assert item.offerings is not None
        plan = plan_set(item.offerings, item.current_offerings)
        for changes in plan.adds:
            await offering_store.create(tx, item.listing_id, changes, actor)
        for offering, changes in plan.updates:
            await offering_store.update(tx, offering, changes, actor)
        for offering in plan.cancels:
            await offering_store.cancel(tx, offering.id, "No longer in the provider's submission.", actor)
        item.written = item.written or bool(plan.adds or plan.updates or plan.cancels)


async def _check_references(tx: Executor, provider_id: uuid.UUID, items: list[Item]) -> None:
    readable = [i for i in items if not i.unread]
    found = await references(tx, [i.changes for i in readable])
    for item in readable:
        item.problems += found.problems(item.changes, provider_id, item.existing)
        item.occupations = found.occupation_ids(item.changes)


async def _write(tx: Executor, provider_id: uuid.UUID, items: list[Item], actor: str) -> None:
    valid = [i for i in items if not i.problems]
    for item in valid:
        item.credential_id = item.existing.id if item.existing is not None else uuid.uuid4()
    new = [i for i in valid if i.existing is None]
    existing = [i for i in valid if i.existing is not None]
    current_tags = await _current_tags(tx, [i.listing_id for i in existing])
    changed = [i for i in existing if _differs(i, current_tags)]
    if new:
        await listings.insert_many(tx, provider_id, [(i.listing_id, i.changes) for i in new])
    if changed:
        await listings.update_many(tx, [(i.listing_id, i.changes) for i in changed])
    written = new + changed
    skills = {i.listing_id: list(i.changes.skill_ids) for i in written if i.changes.skill_ids is not None}
    occupations = {i.listing_id: i.occupations for i in written if i.occupations is not None}
    await listings.replace_tags(tx, skills, occupations)
    partners = {i.listing_id: i.changes.offered_by_provider_ids for i in written}
    await listings.replace_partners(tx, {owner: list(ids) for owner, ids in partners.items() if ids is not None})
    if written:
        await listings.refresh_search(tx, [i.listing_id for i in written])
    if new:
        await history.record_changes(tx, [i.listing_id for i in new], "CREATED", actor)
    if changed:
        await history.record_changes(tx, [i.listing_id for i in changed], "UPDATED", actor)
    for item in written:
        item.written = True


async def _current_tags(tx: Executor, credential_ids: list[uuid.UUID]) -> _Tags:
    if not credential_ids:
        return _Tags({}, {}, {})
    skills = await credential_store.skills_of(tx, credential_ids)
    occupations = await credential_store.occupations_of(tx, credential_ids)
    return _Tags(
        {cid: [s.id for s in found] for cid, found in skills.items()},
        {cid: [o.id for o in found] for cid, found in occupations.items()},
        {cid: [p.id for p in found] for cid, found in (await provider_store.partners_of(tx, credential_ids)).items()},
    )


def _differs(item: Item, current_tags: _Tags) -> bool:
    """Whether the submission changes the stored listing at all."""
    skills, occupations, partners = current_tags
    for name, value in item.changes.given().items():
        if name == "skill_ids":
            if list(value) != skills.get(item.listing_id, []):
                return True
        elif name == "occupation_codes":
            if item.occupations != occupations.get(item.listing_id, []):
                return True
        elif name == "offered_by_provider_ids":
            if list(value) != partners.get(item.listing_id, []):
                return True
        elif getattr(item.existing, name) != value:
            return True
    return False


async def _publish(tx: Executor, items: list[Item], actor: str) -> None:
    candidates = [i for i in items if not i.problems]
    stored = await credential_store.by_ids(tx, [i.listing_id for i in candidates], Visibility(admin=True))
    ready = []
    for item in candidates:
        listing = stored[item.listing_id]
        if listing.status == "PUBLISHED":
            continue
        missing = check_publishable(listing)
        if missing:
            item.notes = missing
        else:
            ready.append(item.listing_id)
    if ready:
        await listings.publish_many(tx, ready)
        await history.record_changes(tx, ready, "PUBLISHED", actor)
