"""A complete snapshot of one provider's listings as a harvest source: its own file (CTDL, JSON
Lines, CSV), or what it owns in Credential Engine's registry (fetched by
registry.services.harvest_credential_engine), read by the importer of its format.

Every listing the file holds is written through the same batch upsert as
`submitCredentials`, published when complete. A listing the file no longer holds is retired
only after two successful runs in a row have missed it, and only when the run read the file
well (`harvesting.read_well`): a truncated or half-published file retires nothing.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from typing import Callable
from uuid import UUID

from registry.db import Database, Executor
from registry.domain import harvesting
from registry.domain.enums import HarvestSourceKind
from registry.domain.harvesting import HarvestSource, Limits, RunCounts, RunTicket
from registry.interop.csv_listings import Row
from registry.services import importing
from registry.services.harvest_fetch import SourceFailed
from registry.store import harvest_sources, listing_sources, listings


async def apply(
    db: Database,
    ticket: RunTicket,
    content: bytes,
    limits: Limits,
    counts: RunCounts,
    progress: Callable[[int], None],
) -> None:
    """Write what the file holds (counted in ``counts``), then count the runs that missed the
    source's other listings."""
    source = ticket.source
    assert source.provider_id is not None, "file sources belong to a provider"
    rows, unknown = _rows(source, content, limits)
    report = await importing.import_rows(
        db,
        source.provider_id,
        iter(rows),
        unknown_columns=unknown,
        publish=True,
        dry_run=False,
        describe=lambda p: ".".join(p.field),
        progress=progress,
        actor=ticket.actor,
        source=source.id,
    )
    written: list[tuple[UUID, str, str | None, str]] = []
    for row, reported in zip(rows, report.rows):
        codes = {code for _, code, _ in reported.problems}
        counts.count("unchanged" if codes == {"DETACHED"} else reported.outcome)  # detached: this registry's now
        for where, code, message in reported.problems:
            counts.problem(f"{row.line}.{where}", message, code)
        if reported.credential_id is not None:
            hashed = harvesting.content_hash(dataclasses.asdict(row.changes))
            written.append((reported.credential_id, hashed, None, source.url))
    present = [written_id for written_id, *_ in written]
    unwritten = [r.external_id for r in report.rows if r.credential_id is None and r.external_id]
    present += (await listings.ids_by_external_ids(db, source.provider_id, unwritten)).values()
    async with db.transaction() as tx:
        if not await harvest_sources.holds(tx, source.id, ticket.lease):
            raise SourceFailed("The run outlived its lease: another run may have taken the source over.")
        await listing_sources.seen(tx, source.id, written)
        if harvesting.read_well(len(written), counts.failed):
            counts.retired = await _retire_missing(tx, source, present, ticket.actor)


def _rows(source: HarvestSource, content: bytes, limits: Limits) -> tuple[list[Row], list[str]]:
    """The file's rows (at most ``limits.max_objects``) and its unknown columns."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceFailed("The source is not UTF-8 text.") from error
    unknown, read = importing.read_rows(io.StringIO(text), harvesting.SNAPSHOT_FORMATS[HarvestSourceKind(source.kind)])
    rows = []
    try:
        for row in read:
            rows.append(row)
            if len(rows) > limits.max_objects:
                raise SourceFailed(f"The source holds more than {limits.max_objects} listings.")
    except (csv.Error, ValueError) as error:  # e.g. a CSV field longer than the reader allows
        raise SourceFailed(f"The source could not be read: {error}") from error
    return rows, unknown


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
