"""Harvesting: the registry fetches listings from where providers already publish them.

`add` registers a source (operators only). `run` fetches one, conditionally (ETag and
Last-Modified: an unchanged source costs one request and changes nothing), within limits of
size, time and object count, from an address the registry may call (pinned, like webhooks);
reads it with the importer of its format; writes its listings through the same batch upsert
as `submitCredentials`, published when complete; records which listings came from it; and
retires a listing only after two successful runs in a row have missed it. A run that cannot
read its source records why and changes nothing. Every run is recorded.

Three kinds of source: a provider's own file (CTDL, JSON Lines of the registry's export, CSV of
the import template; registry.services.harvest_files), what an organisation owns in Credential
Engine's registry (registry.services.harvest_credential_engine, then written like a CTDL
file), and another Microcred registry's change feed (registry.services.harvest_feed).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable
from uuid import UUID, uuid4

import asyncpg
import httpx

from registry.config import Settings
from registry.db import Database
from registry.domain import harvesting
from registry.domain.enums import HarvestSourceKind
from registry.domain.errors import Outcome, Problem
from registry.domain.harvesting import (
    Harvested,
    HarvestRun,
    HarvestSource,
    Limits,
    RunCounts,
    RunTicket,
    SourceSpec,
)
from registry.domain.principals import Principal, require_operator
from registry.services import harvest_credential_engine, harvest_feed, harvest_files
from registry.services.harvest_fetch import Deadline, Fetched, SourceFailed, fetch_file
from registry.store import audit, harvest_sources, listing_sources, listings, party_confirmations, providers
from registry.store.party_confirmations import Pending

# A run holds its source this long at most (then another process may run it): the fetch's
# limit plus time to write what it read.
LEASE_SECONDS = 3600.0
DEFAULT_LIMITS = Limits()
log = logging.getLogger("microcred.harvest")


async def add(
    db: Database,
    principal: Principal,
    settings: Settings,
    *,
    kind: str,
    url: str,
    provider_slug: str | None = None,
    every_minutes: int = harvesting.DEFAULT_EVERY_MINUTES,
    organization_ctid: str | None = None,
) -> Outcome[HarvestSource]:
    """Register a source (operators only)."""
    require_operator(principal)
    spec = SourceSpec(kind, url, every_minutes, provider_slug, organization_ctid)
    problems = harvesting.check_source(
        spec, allow_loopback=settings.webhooks_allow_loopback, allow_private=settings.webhooks_allow_private
    )
    provider = await providers.by_slug(db, provider_slug) if provider_slug and not problems else None
    if provider_slug and not problems and provider is None:
        problems.append(Problem(("provider",), "NOT_FOUND", f"No provider has the slug {provider_slug!r}."))
    if problems:
        return Outcome.refused(*problems)
    try:
        return Outcome(await harvest_sources.create(db, spec, provider.id if provider else None))
    except asyncpg.UniqueViolationError:
        return Outcome.refused(Problem(("url",), "DUPLICATE_SOURCE", "This URL is a source already."))


async def set_enabled(db: Database, principal: Principal, source_id: UUID, enabled: bool) -> Outcome[HarvestSource]:
    """Turn a source's scheduled runs on or off (operators only); its listings stay as they are."""
    require_operator(principal)
    async with db.transaction() as tx:
        source = await harvest_sources.set_enabled(tx, source_id, enabled)
        if source is None:
            return Outcome.refused(Problem(("id",), "NOT_FOUND", "No harvest source has this ID."))
        action = "source.enabled" if enabled else "source.disabled"
        await audit.record(
            tx, actor=principal.client_id, action=action, target=str(source_id), details={"url": source.url}
        )
    return Outcome(source)


async def detach(db: Database, principal: Principal, credential_id: UUID) -> Outcome[Harvested]:
    """Detach a harvested listing from its source (operators only): from now on it is written
    here, and the source's runs neither change nor retire it."""
    require_operator(principal)
    async with db.transaction() as tx:
        await listings.lock(tx, credential_id)  # after any write of it in progress, which locks it too
        detached = await listing_sources.detach(tx, credential_id)
        if detached is None:
            return Outcome.refused(Problem(("id",), "NOT_HARVESTED", "No listing harvested from a source has this ID."))
        details = {"source": str(detached.source_id), "url": detached.url}
        await audit.record(
            tx, actor=principal.client_id, action="credential.detached", target=str(credential_id), details=details
        )
    return Outcome(detached)


async def pending_parties(db: Database, principal: Principal) -> list[Pending]:
    """The providers and authorities feeds brought in that wait for an operator's confirmation."""
    require_operator(principal)
    return await party_confirmations.pending(db)


async def confirm_party(db: Database, principal: Principal, kind: str, slug: str) -> Outcome[str]:
    """Confirm a provider or authority (``kind``) that a feed brought in (operators only)."""
    require_operator(principal)
    async with db.transaction() as tx:
        if not await party_confirmations.confirm(tx, kind, slug):
            return Outcome.refused(
                Problem(("slug",), "NOT_FOUND", f"No {kind} with the slug {slug!r} waits for confirmation.")
            )
        await audit.record(tx, actor=principal.client_id, action=f"{kind}.confirmed", target=slug)
    return Outcome(slug)


async def run(
    db: Database,
    settings: Settings,
    source_id: UUID,
    http: httpx.AsyncClient | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    progress: Callable[[int], None] = lambda n: None,
    only_if_due: bool = False,
) -> HarvestRun | None:
    """Run a source once; None when another run holds it (or, ``only_if_due``, when it is not due).
    Without ``http``, the run has an HTTP client of its own: connections to one pinned address
    are never reused for another host, whose certificate would then go unchecked."""
    if http is None:
        async with httpx.AsyncClient(follow_redirects=False) as own:
            return await run(db, settings, source_id, own, limits=limits, progress=progress, only_if_due=only_if_due)
    lease = uuid4()
    source = await harvest_sources.claim(db, source_id, lease, LEASE_SECONDS, only_if_due=only_if_due)
    if source is None:
        return None
    ticket = RunTicket(source, await harvest_sources.start_run(db, source.id), lease)
    counts, deadline = RunCounts(), Deadline(limits)  # counts kept whatever happens: what was applied stays applied
    try:
        if source.kind == HarvestSourceKind.MICROCRED_FEED:
            not_modified = await harvest_feed.follow(db, settings, http, ticket, limits, deadline, counts, progress)
            return await _finish(db, ticket, counts, Fetched(None) if not_modified else None, succeeded=True)
        if source.kind == HarvestSourceKind.CREDENTIAL_ENGINE:
            fetched = await harvest_credential_engine.fetch(source, settings, http, limits, deadline)
        else:
            fetched = await fetch_file(source, settings, http, limits)
        if fetched.content is not None:
            await harvest_files.apply(db, ticket, fetched.content, limits, counts, progress)
    except SourceFailed as failure:
        return await _failed(db, ticket, counts, str(failure))
    except Exception as error:  # noqa: BLE001 - recorded, so that one source cannot stop the worker
        log.exception("harvest source %s: run %s failed", source.id, ticket.run_id)
        return await _failed(db, ticket, counts, f"The run failed ({type(error).__name__}).")
    except BaseException:  # cancelled: the run is recorded as stopped, the source released
        await asyncio.shield(_failed(db, ticket, counts, "The run was stopped."))
        raise
    if fetched.content is not None and not harvesting.read_well(counts.read(), counts.failed):
        return await _failed(db, ticket, counts, "Too few of the source's listings could be read.")
    return await _finish(db, ticket, counts, fetched, succeeded=True)


async def _failed(db: Database, ticket: RunTicket, counts: RunCounts, why: str) -> HarvestRun:
    """Record a run that could not read its source, with what it had applied before: nothing
    remembered of the fetch (the next run reads it again), nothing retired for being missing."""
    counts.problems.insert(0, {"field": "source", "code": "SOURCE_FAILED", "message": why})
    return await _finish(db, ticket, counts, None, succeeded=False)


async def _finish(
    db: Database, ticket: RunTicket, counts: RunCounts, fetched: Fetched | None, *, succeeded: bool
) -> HarvestRun:
    """Release the source (remembering a file's validators) and record how the run ended; not
    modified when the source answered that nothing changed (``fetched`` without content)."""
    done = fetched or Fetched(b"")
    await harvest_sources.release(
        db,
        ticket.source.id,
        ticket.lease,
        etag=done.etag,
        last_modified=done.last_modified,
        content_hash=done.content_hash,
    )
    not_modified = succeeded and fetched is not None and fetched.content is None
    totals = {**counts.totals(), "succeeded": int(succeeded), "not_modified": int(not_modified)}
    return await harvest_sources.finish_run(db, ticket.run_id, totals, counts.recorded_problems())


async def run_due(db: Database, settings: Settings, stop: asyncio.Event | None = None) -> int:
    """Run every enabled source whose time has come (each once; one held by another run is
    left to it), until ``stop`` is set; returns how many ran."""
    ran = 0
    for source_id in await harvest_sources.due(db):
        if stop is not None and stop.is_set():
            break
        if await run(db, settings, source_id, only_if_due=True) is not None:
            ran += 1
    return ran


async def keep_running(db: Database, settings: Settings, stop: asyncio.Event, idle_seconds: float = 30.0) -> None:
    """Run due sources until ``stop`` is set (`microcred worker`); any number of workers may.
    A run that fails is recorded by the run itself; an error outside runs (the database away)
    is logged and tried again later, so that the worker's webhook deliveries carry on."""
    while not stop.is_set():
        try:
            await run_due(db, settings, stop)
        except Exception:  # noqa: BLE001 - see the docstring
            log.exception("harvest: could not run the due sources; trying again later")
        try:
            await asyncio.wait_for(stop.wait(), idle_seconds)
        except TimeoutError:
            pass
