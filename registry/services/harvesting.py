"""Harvesting: the registry fetches listings from where providers already publish them.

`add` registers a source (operators only). `run` fetches one, conditionally (ETag and
Last-Modified: an unchanged source costs one request and changes nothing), within limits of
size, time and object count, from an address the registry may call (pinned, like webhooks);
reads it with the importer of its format; writes its listings through the same batch upsert
as `submitCredentials`, published when complete; records which listings came from it; and
retires a listing only after two successful runs in a row have missed it. A run that cannot
read its source records why and changes nothing. Every run is recorded.

So far the provider's own files run: CTDL, JSON Lines (the registry's export lines) and CSV
(the import template). Feeds of other registries and Credential Engine are added next.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import logging
from dataclasses import dataclass, field
from typing import Callable
from uuid import UUID, uuid4

import asyncpg
import httpx

from registry.config import Settings
from registry.db import Database, Executor
from registry.domain import harvesting
from registry.domain.enums import HarvestSourceKind
from registry.domain.errors import Outcome, Problem
from registry.domain.harvesting import HarvestRun, HarvestSource, Limits
from registry.domain.principals import Principal, require_operator
from registry.services import importing, outbound
from registry.store import harvest_sources, listing_sources, listings, providers


def actor_of(run_id: UUID) -> str:
    """Who a run's changes are by, in the listings' history: `harvest:<run ID>`."""
    return f"harvest:{run_id}"


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
    provider_slug: str | None,
    every_minutes: int = harvesting.DEFAULT_EVERY_MINUTES,
) -> Outcome[HarvestSource]:
    """Register a source (operators only)."""
    require_operator(principal)
    problems = harvesting.check_source(
        kind,
        url,
        provider_slug is not None,
        every_minutes,
        allow_loopback=settings.webhooks_allow_loopback,
        allow_private=settings.webhooks_allow_private,
    )
    provider = await providers.by_slug(db, provider_slug) if provider_slug and not problems else None
    if provider_slug and not problems and provider is None:
        problems.append(Problem(("provider",), "NOT_FOUND", f"No provider has the slug {provider_slug!r}."))
    if problems:
        return Outcome.refused(*problems)
    try:
        return Outcome(await harvest_sources.create(db, kind, url, provider.id if provider else None, every_minutes))
    except asyncpg.UniqueViolationError:
        return Outcome.refused(Problem(("url",), "DUPLICATE_SOURCE", "This URL is a source already."))


@dataclass
class _Fetched:
    """What a source answered: its content (None when not modified) and validators."""

    content: bytes | None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None


class SourceFailed(Exception):
    """The source could not be read: unreachable, an error status, too big, too slow, malformed."""


@dataclass
class _Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    failed: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)


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
    run_id = await harvest_sources.start_run(db, source.id)
    this = _Run(source, run_id, lease)
    try:
        fetched = await _fetch(source, settings, http, limits)
        if fetched.content is None:
            return await _finish(db, this, fetched, _Counts(), True)
        counts = await _apply(db, this, fetched.content, limits, progress)
    except SourceFailed as failure:
        return await _failed(db, this, _Counts(), str(failure))
    except Exception as error:  # noqa: BLE001 - recorded, so that one source cannot stop the worker
        log.exception("harvest source %s: run %s failed", source.id, run_id)
        return await _failed(db, this, _Counts(), f"The run failed ({type(error).__name__}).")
    except BaseException:  # cancelled: the run is recorded as stopped, the source released
        await asyncio.shield(_failed(db, this, _Counts(), "The run was stopped."))
        raise
    if not harvesting.read_well(counts.created + counts.updated + counts.unchanged, counts.failed):
        return await _failed(db, this, counts, "Too few of the source's listings could be read.")
    return await _finish(db, this, fetched, counts, True)


@dataclass(frozen=True)
class _Run:
    """A run in progress: its source, its ID, and the lease that holds the source for it."""

    source: HarvestSource
    id: UUID
    lease: UUID


async def _failed(db: Database, this: _Run, counts: _Counts, why: str) -> HarvestRun:
    """Record a run that could not read its source: nothing retired, nothing remembered of the
    fetch (the next run reads it again)."""
    counts.problems.insert(0, _problem("source", why))
    return await _finish(db, this, _Fetched(None), counts, False)


async def _finish(db: Database, this: _Run, fetched: _Fetched, counts: _Counts, succeeded: bool) -> HarvestRun:
    await harvest_sources.release(
        db,
        this.source.id,
        this.lease,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        content_hash=fetched.content_hash,
    )
    totals = {name: getattr(counts, name) for name in ("created", "updated", "unchanged", "retired", "failed")}
    not_modified = succeeded and fetched.content is None
    return await harvest_sources.finish_run(
        db, this.id, {**totals, "succeeded": int(succeeded), "not_modified": int(not_modified)}, counts.problems
    )


async def _fetch(source: HarvestSource, settings: Settings, http: httpx.AsyncClient, limits: Limits) -> _Fetched:
    """The source's content, or None content when it has not changed since the last run."""
    headers = {"user-agent": "microcred-harvester/1", "accept": "*/*"}
    if source.etag:
        headers["if-none-match"] = source.etag
    if source.last_modified:
        headers["if-modified-since"] = source.last_modified
    try:
        async with asyncio.timeout(limits.max_seconds):
            target = await outbound.pinned(source.url, settings)
            async with http.stream(  # never redirected: a redirect could lead past the address rules
                "GET",
                target.url,
                headers={**headers, **target.headers},
                extensions=target.extensions,
                follow_redirects=False,
            ) as response:
                if response.status_code == 304:
                    return _Fetched(None)
                if response.status_code != 200:
                    raise SourceFailed(f"The source answered HTTP {response.status_code}.")
                body = await _read_within(response, limits.max_bytes)
    except TimeoutError as error:
        raise SourceFailed(f"The source took longer than {limits.max_seconds:g} s.") from error
    except outbound.Blocked as blocked:
        raise SourceFailed(str(blocked)) from blocked
    except (httpx.HTTPError, OSError) as error:
        raise SourceFailed(f"The source could not be reached: {type(error).__name__}.") from error
    content_hash = hashlib.sha256(body).hexdigest()
    etag, last_modified = response.headers.get("etag"), response.headers.get("last-modified")
    if content_hash == source.content_hash:  # a source without validators, unchanged
        return _Fetched(None, etag, last_modified)
    return _Fetched(body, etag, last_modified, content_hash)


async def _read_within(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise SourceFailed(f"The source is larger than {max_bytes} bytes.")
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise SourceFailed(f"The source is larger than {max_bytes} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


async def _apply(db: Database, this: _Run, content: bytes, limits: Limits, progress: Callable[[int], None]) -> _Counts:
    """Write what the source holds, then count the runs that missed its other listings."""
    source, actor = this.source, actor_of(this.id)
    assert source.provider_id is not None, "file sources belong to a provider"
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceFailed("The source is not UTF-8 text.") from error
    unknown, read = importing.read_rows(io.StringIO(text), harvesting.FILE_FORMATS[HarvestSourceKind(source.kind)])
    rows = []
    try:
        for row in read:
            rows.append(row)
            if len(rows) > limits.max_objects:
                raise SourceFailed(f"The source holds more than {limits.max_objects} listings.")
    except (csv.Error, ValueError) as error:  # e.g. a CSV field longer than the reader allows
        raise SourceFailed(f"The source could not be read: {error}") from error
    report = await importing.import_rows(
        db,
        source.provider_id,
        iter(rows),
        unknown_columns=unknown,
        publish=True,
        dry_run=False,
        describe=lambda p: ".".join(p.field),
        progress=progress,
        actor=actor,
        source=source.id,
    )
    counts = _Counts()
    written: list[tuple[UUID, str]] = []
    for row, reported in zip(rows, report.rows):
        setattr(counts, reported.outcome, getattr(counts, reported.outcome) + 1)
        counts.problems += [
            _problem(f"{row.line}.{where}", message, code) for where, code, message in reported.problems
        ]
        if reported.credential_id is not None:
            written.append((reported.credential_id, hashlib.sha256(repr(row.changes).encode()).hexdigest()))
    present = [credential_id for credential_id, _ in written]
    present += await listings.ids_by_external_ids(
        db, source.provider_id, [r.external_id for r in report.rows if r.credential_id is None and r.external_id]
    )
    async with db.transaction() as tx:
        if not await harvest_sources.holds(tx, source.id, this.lease):
            raise SourceFailed("The run outlived its lease: another run may have taken the source over.")
        await listing_sources.seen(tx, source.id, source.url, written)
        if harvesting.read_well(len(written), counts.failed):
            counts.retired = await _retire_missing(tx, source, present, actor)
    return counts


async def _retire_missing(tx: Executor, source: HarvestSource, present: list[UUID], actor: str) -> int:
    """Count one more run without each of the source's listings not ``present``; retire those
    missed often enough."""
    retired = 0
    for credential_id, runs in (await listing_sources.missed(tx, source.id, present)).items():
        if harvesting.retires(runs):
            await listings.lock(tx, credential_id)
            await listings.set_status(tx, credential_id, "RETIRED", actor, f"No longer published at {source.url}.")
            retired += 1
    return retired


def _problem(where: str, message: str, code: str = "SOURCE_FAILED") -> dict[str, str]:
    return {"field": where, "code": code, "message": message}


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
