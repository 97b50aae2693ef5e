"""Another Microcred registry as a harvest source (MICROCRED_FEED): follow its public change
feed from the cursor the last run saved, fetch the listings that changed, and mirror them.

Listings come with their provider, matched here by slug (created when new, waiting for an
operator to confirm it); recognitions come with their authority, matched the same way, and a
revocation at the source revokes the mirror. A listing retired at the source is retired here.
Each page of changes is applied listing by listing, then its cursor saved: a run that stops
(the source down, a limit reached) goes on from there the next time. A listing that cannot
be written here (a value this registry refuses) is recorded as a problem of the run and
left until the source changes it again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit
from uuid import UUID

import asyncpg
import httpx

from registry.config import Settings
from registry.db import Database
from registry.domain import harvesting
from registry.domain.harvesting import Limits, RunCounts, RunTicket
from registry.domain.parties import Party
from registry.domain.records import Authority, Provider
from registry.interop import registry_feed
from registry.interop.csv_listings import Row
from registry.interop.registry_feed import RemoteListing, RemoteRecognition, Unreadable
from registry.interop.registry_json import changes_from_json
from registry.services import importing
from registry.services import parties as party_registry
from registry.services.harvest_fetch import Deadline, SourceFailed, ask_graphql
from registry.services.parties import PartyKind
from registry.store import harvest_sources, harvested_recognitions, listing_sources, listings
from registry.store import recognitions as recognition_store

# Listings asked for at once: within a registry's default query cost limit (5,000), as each costs
# 169 with its nested lists.
LISTINGS_PER_REQUEST = 25
# Changes read before their listings are asked for: a listing changed many times is asked for
# once; a run that stops goes on from the last chunk applied.
EVENTS_PER_CHUNK = 1000
CHANGES_PER_PAGE = 200  # the `first` of graphql/operations/HarvestChanges.graphql
MAX_NEW_PARTIES = 100  # providers and authorities one run may create
_T = TypeVar("_T")
_P = TypeVar("_P", Provider, Authority)


@dataclass
class _Parties:
    """The providers and authorities a run has matched or created, by slug, and how many it created."""

    providers: dict[str, UUID | None] = field(default_factory=dict)
    authorities: dict[str, UUID | None] = field(default_factory=dict)
    created: int = 0


async def follow(
    db: Database,
    settings: Settings,
    http: httpx.AsyncClient,
    ticket: RunTicket,
    limits: Limits,
    deadline: Deadline,
    counts: RunCounts,
    progress: Callable[[int], None],
) -> bool:
    """Apply the source's changes since the saved cursor (counted in ``counts``); True when
    nothing had changed."""
    source, parties = ticket.source, _Parties()
    cursor, events = source.cursor, 0
    while True:
        chunk = await _changes(source.url, settings, http, limits, deadline, cursor)
        if chunk.events == 0 and events == 0:
            return True
        events += chunk.events
        for start in range(0, len(chunk.listing_ids), LISTINGS_PER_REQUEST):
            deadline.check()
            wanted = chunk.listing_ids[start : start + LISTINGS_PER_REQUEST]
            found = await _listings(source.url, settings, http, limits, wanted)
            await _mirror(db, ticket, list(zip(wanted, found)), counts, parties)
            progress(len(wanted))
        cursor = chunk.end_cursor or cursor
        if not await harvest_sources.save_cursor(db, source.id, ticket.lease, cursor):
            raise SourceFailed("The run outlived its lease: another run may have taken the source over.")
        if not chunk.has_more:
            return False
        if events >= limits.max_objects or deadline.passed():
            counts.problem("source", f"Stopped after {events} changes; the next run goes on from here.", "LIMIT")
            return False


async def _changes(
    url: str, settings: Settings, http: httpx.AsyncClient, limits: Limits, deadline: Deadline, cursor: str | None
) -> registry_feed.ChangePage:
    """The next pages of changes after ``cursor`` (up to EVENTS_PER_CHUNK), each listing named
    once: all of them are asked for after the last page is read, so that each answer holds
    every change the pages name."""
    ids: dict[str, None] = {}
    events = 0
    while True:
        deadline.check()
        data = await ask_graphql(
            url, settings, http, limits, registry_feed.operation("HarvestChanges"), {"after": cursor}
        )
        page = _read(registry_feed.change_page, data)
        if page.events > CHANGES_PER_PAGE:
            raise SourceFailed(f"The source answered {page.events} changes where {CHANGES_PER_PAGE} were asked for.")
        if page.has_more and (page.events == 0 or page.end_cursor in (None, cursor)):
            raise SourceFailed("The source's change feed does not move on: it says there is more, and gives none.")
        ids.update(dict.fromkeys(page.listing_ids))
        events += page.events
        cursor = page.end_cursor or cursor
        if not page.has_more or events >= EVENTS_PER_CHUNK:
            return registry_feed.ChangePage(list(ids), cursor, page.has_more, events)


async def _listings(
    url: str, settings: Settings, http: httpx.AsyncClient, limits: Limits, wanted: list[str]
) -> list[RemoteListing | Unreadable | None]:
    data = await ask_graphql(url, settings, http, limits, registry_feed.operation("HarvestListings"), {"ids": wanted})
    found = _read(registry_feed.listings, data)
    if len(found) != len(wanted):
        raise SourceFailed(f"The source answered {len(found)} listings for {len(wanted)} IDs.")
    return found


def _read(reader: Callable[[object], _T], data: object) -> _T:
    try:
        return reader(data)
    except registry_feed.Malformed as error:
        raise SourceFailed(str(error)) from error


async def _mirror(
    db: Database,
    ticket: RunTicket,
    found: list[tuple[str, RemoteListing | Unreadable | None]],
    counts: RunCounts,
    parties: _Parties,
) -> None:
    """Write a batch of the source's listings here, provider by provider."""
    by_provider: dict[UUID, list[RemoteListing]] = defaultdict(list)
    for remote_id, remote in found:
        if remote is None or isinstance(remote, Unreadable):
            counts.count("failed", remote_id)
            why = (
                ("The source does not show this listing.", "NOT_FOUND")
                if remote is None
                else (remote.reason, "MALFORMED")
            )
            counts.problem(remote_id, *why)
            continue
        provider_id = await _party_id(db, ticket, remote.provider, party_registry.PROVIDER, parties, counts)
        if provider_id is None:
            counts.count("failed", remote_id)
            continue
        by_provider[provider_id].append(remote)
    for provider_id, offered in by_provider.items():
        remotes = await _its_own(db, ticket, provider_id, offered, counts)
        # Published, as at the source (then retired if retired there); but publishing a listing
        # retired both there and here already would bring it back for a moment.
        retired = await listings.retired_external_ids(db, provider_id, [r.document["externalId"] for r in remotes])
        stay = [r for r in remotes if r.status != "PUBLISHED" and r.document["externalId"] in retired]
        for publish, group in ((True, [r for r in remotes if r not in stay]), (False, stay)):
            if group:
                await _write(db, ticket, provider_id, group, publish, counts, parties)


async def _its_own(
    db: Database, ticket: RunTicket, provider_id: UUID, remotes: list[RemoteListing], counts: RunCounts
) -> list[RemoteListing]:
    """The listings the feed may write (harvesting.feed_takes). Of the others, one the source
    harvested itself is this registry's own coming back (two registries following each other):
    nothing to do; any other is a problem of the run."""
    held = await listings.ids_by_external_ids(db, provider_id, [r.document["externalId"] for r in remotes])
    harvested = await listing_sources.sources_of(db, list(held.values()))
    writable = []
    for remote in remotes:
        here = held.get(remote.document["externalId"])
        found = harvested.get(here) if here else None
        if harvesting.feed_takes(here is not None, found, ticket.source.id):
            writable.append(remote)
        elif remote.harvested:
            counts.count("unchanged", remote.id)
        else:
            counts.count("failed", remote.id)
            problem = harvesting.refusal(("externalId",), found, None) if found and not found.detached else None
            counts.problem(
                f"{remote.id}.externalId",
                problem.message
                if problem
                else "This registry holds a listing with this key written here: the feed does not take it over.",
                problem.code if problem else "WRITTEN_HERE",
            )
    return writable


async def _write(
    db: Database,
    ticket: RunTicket,
    provider_id: UUID,
    remotes: list[RemoteListing],
    publish: bool,
    counts: RunCounts,
    parties: _Parties,
) -> None:
    """Write one provider's listings, then their status and recognitions."""
    rows = [_row(index, remote) for index, remote in enumerate(remotes)]
    report = await importing.import_rows(
        db,
        provider_id,
        iter(rows),
        unknown_columns=[],
        publish=publish,
        dry_run=False,
        describe=lambda p: ".".join(p.field),
        actor=ticket.actor,
        source=ticket.source.id,
    )
    external_ids = [r.external_id for r in report.rows if r.external_id]
    here = await listings.ids_by_external_ids(db, provider_id, external_ids)
    seen = []
    for remote, reported in zip(remotes, report.rows):
        for where, code, message in reported.problems + reported.notes:  # notes: why it is not published here
            counts.problem(f"{remote.id}.{where}", message, code)
        credential_id = here.get(reported.external_id or "") if reported.outcome != "failed" else None
        if credential_id is None:
            counts.count("failed", remote.id)
            continue
        seen.append((credential_id, harvesting.content_hash(remote.document), remote.id, _page_of(ticket, remote)))
        retired = remote.status != "PUBLISHED" and await _retire(db, ticket, credential_id)
        counts.count("retired" if retired else reported.outcome, remote.id)
        await _mirror_recognitions(db, ticket, credential_id, remote.recognitions, counts, parties)
    async with db.transaction() as tx:
        await listing_sources.seen(tx, ticket.source.id, seen)


def _row(index: int, remote: RemoteListing) -> Row:
    changes, problems, skills = changes_from_json(remote.document)
    return Row(index + 1, changes, problems, skills)


def _page_of(ticket: RunTicket, remote: RemoteListing) -> str:
    """The listing's page at the source registry (its pages live beside its API)."""
    origin = urlsplit(ticket.source.url)
    return urlunsplit((origin.scheme, origin.netloc, f"/credentials/{quote(remote.id)}", "", ""))


async def _retire(db: Database, ticket: RunTicket, credential_id: UUID) -> bool:
    """Retire a listing retired at the source; False when it is retired here already."""
    async with db.transaction() as tx:
        listing = await listings.lock(tx, credential_id)
        if listing is None or listing.status == "RETIRED":
            return False
        note = f"Retired at its source, {ticket.source.url}."
        await listings.set_status(tx, credential_id, "RETIRED", ticket.actor, note)
    return True


async def _mirror_recognitions(
    db: Database,
    ticket: RunTicket,
    credential_id: UUID,
    remotes: list[RemoteRecognition],
    counts: RunCounts,
    parties: _Parties,
) -> None:
    """Record the source's recognitions of a listing here, and revoke those it revoked."""
    source = ticket.source
    mirrored = await harvested_recognitions.mirrors(db, source.id, [r.id for r in remotes])
    for remote in remotes:
        here = mirrored.get(remote.id)
        if here is None:
            authority_id = await _party_id(db, ticket, remote.authority, party_registry.AUTHORITY, parties, counts)
            if authority_id is not None:
                here = await _recognize(db, ticket, credential_id, authority_id, remote, counts)
        if here is not None and remote.revoked:  # kept on record here too, revoked
            await _revoke(db, here, f"Revoked at its source, {source.url}.")


async def _recognize(
    db: Database,
    ticket: RunTicket,
    credential_id: UUID,
    authority_id: UUID,
    remote: RemoteRecognition,
    counts: RunCounts,
) -> UUID | None:
    """The mirror of ``remote``, recorded here; None when this registry cannot record it."""
    try:
        return await _record_recognition(db, ticket, credential_id, authority_id, remote)
    except (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError) as error:  # e.g. an unknown kind
        counts.problem(remote.id, f"This recognition cannot be recorded here ({type(error).__name__}).")
        return None


async def _record_recognition(
    db: Database, ticket: RunTicket, credential_id: UUID, authority_id: UUID, remote: RemoteRecognition
) -> UUID:
    async with db.transaction() as tx:
        made = await recognition_store.create_recognition(
            tx,
            credential_id=credential_id,
            authority_id=authority_id,
            kind=remote.kind,
            valid_from=remote.valid_from,
            valid_until=remote.valid_until,
            note=remote.note,
        )
        await harvested_recognitions.record(tx, ticket.source.id, remote.id, made.id)
    return made.id


async def _revoke(db: Database, recognition_id: UUID, reason: str) -> None:
    async with db.transaction() as tx:
        found = await recognition_store.lock_recognition(tx, recognition_id)
        if found is not None and found.revoked_at is None:
            await recognition_store.revoke(tx, recognition_id, reason)


async def _party_id(
    db: Database,
    ticket: RunTicket,
    party: Party,
    kind: PartyKind[_P],
    parties: _Parties,
    counts: RunCounts,
) -> UUID | None:
    """The provider or authority here with the party's slug, created (waiting for an
    operator's confirmation) when there is none; None when the party cannot be registered."""
    known = parties.providers if kind is party_registry.PROVIDER else parties.authorities
    if party.slug not in known:
        known[party.slug] = await _match_or_create(db, ticket, party, kind, parties, counts)
    return known[party.slug]


async def _match_or_create(
    db: Database, ticket: RunTicket, party: Party, kind: PartyKind[_P], parties: _Parties, counts: RunCounts
) -> UUID | None:
    found = await kind.by_slug(db, party.slug)
    if found is not None:
        return found.id
    if parties.created >= MAX_NEW_PARTIES:
        counts.problem(f"{kind.noun}:{party.slug}", f"A run creates at most {MAX_NEW_PARTIES} parties.", "LIMIT")
        return None
    made = await party_registry.register(
        db,
        kind,
        party,
        actor=ticket.actor,
        action="harvested",
        details={"source": ticket.source.url},
        awaiting_confirmation_from=ticket.source.id,
    )
    if made.value is not None:
        parties.created += 1
        return made.value.id
    if [p.code for p in made.problems] == ["DUPLICATE"]:  # registered meanwhile, by an operator or another run
        found = await kind.by_slug(db, party.slug)
        return found.id if found is not None else None
    for problem in made.problems:
        counts.problem(f"{kind.noun}:{party.slug}.{'.'.join(problem.field)}", problem.message, problem.code)
    return None
