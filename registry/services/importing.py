"""`microcred import`: listings from a CSV or JSON Lines file, in bulk, with a report per row.

Rows go through the same batch upsert as `submitCredentials` (registry.services.submission), a few
thousand at a time. `dry_run` checks everything, the database's knowledge included, and
writes nothing.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Callable, Iterator, TextIO
from uuid import UUID

from registry.db import Database
from registry.domain.errors import Problem
from registry.domain.listings import ListingChanges
from registry.domain.vocabularies import SKILL_SCHEME
from registry.interop import csv_listings, ctdl_import
from registry.interop.csv_listings import Row
from registry.interop.registry_json import changes_from_json
from registry.services import submission
from registry.store import taxonomy

CHUNK = 2000
ACTOR = "import"


@dataclass
class RowReport:
    """What happened to one row (or line) of the file."""

    line: int
    external_id: str | None
    outcome: str  # created, updated, unchanged, failed (would-be outcomes on a dry run)
    credential_id: UUID | None = None  # the listing, once written (None when failed or on a dry run)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (column or property, code, message)
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # the same, for what did not stop the row


@dataclass
class ImportReport:
    """The whole import: unknown columns, every row's outcome, and the totals."""

    unknown_columns: list[str]
    unit: str = "line"  # what a row's number counts: lines of the file, or objects of a CTDL document
    rows: list[RowReport] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)


def read_rows(source: TextIO, file_format: str) -> tuple[list[str], Iterator[Row]]:
    """(unknown columns, rows) of a CSV, JSON Lines or CTDL JSON-LD source."""
    if file_format == "csv":
        return csv_listings.read(source)
    if file_format == "ctdl":
        return ctdl_import.read(source)
    return [], _json_rows(source)


def _json_rows(source: TextIO) -> Iterator[Row]:
    for line, text in enumerate(source, start=1):
        if not text.strip():
            continue
        try:
            document = json.loads(text)
        except ValueError as error:
            yield Row(line, ListingChanges(), [Problem(("credential",), "NOT_JSON", f"Not JSON: {error}.")])
            continue
        changes, problems, skills = changes_from_json(document)
        yield Row(line, changes, problems, skills)


async def import_rows(
    db: Database,
    provider_id: UUID,
    rows: Iterator[Row],
    *,
    unknown_columns: list[str],
    publish: bool,
    dry_run: bool,
    describe: Callable[[Problem], str],
    progress: Callable[[int], None] = lambda n: None,
    unit: str = "line",
    actor: str = ACTOR,
    source: UUID | None = None,
) -> ImportReport:
    """Submit ``rows`` in chunks (a transaction each) and report on each; ``source`` is the
    harvest source they come from, if any."""
    report = ImportReport(unknown_columns, unit)
    for batch in csv_listings.chunks(rows, CHUNK):
        items = await _items(db, batch)
        await submission.submit(db, provider_id, items, actor=actor, publish=publish, dry_run=dry_run, source=source)
        for row, item in zip(batch, items):
            report.rows.append(_row_report(row, item, describe, dry_run))
        progress(len(batch))
    return report


async def _items(db: Database, batch: list[Row]) -> list[submission.Item]:
    codes = {code for row in batch for code in row.skill_codes}
    known = await taxonomy.skill_ids_by_code(db, SKILL_SCHEME, list(codes)) if codes else {}
    items = []
    for index, row in enumerate(batch):
        problems = list(row.problems)
        problems += [
            Problem(("credential", "skills"), "UNKNOWN_SKILL", f"No {SKILL_SCHEME} skill has the code {c!r}.")
            for c in row.skill_codes
            if c not in known
        ]
        changes = row.changes
        if row.skill_codes:
            changes = dataclasses.replace(changes, skill_ids=[known[c] for c in row.skill_codes if c in known])
        item = submission.Item(index, changes, problems)
        item.offerings = row.offerings
        items.append(item)
    return items


def _row_report(row: Row, item: submission.Item, describe: Callable[[Problem], str], dry_run: bool) -> RowReport:
    if item.problems:
        outcome = "failed"
    elif item.created:
        outcome = "created"
    else:
        outcome = "updated" if item.written else "unchanged"
    problems = [(_where(row, p, describe), p.code, p.message) for p in item.problems]
    notes = [(_where(row, p, describe), p.code, p.message) for p in item.notes + row.notes]
    written = item.stored.id if item.stored is not None and not dry_run else None
    return RowReport(row.line, item.changes.external_id, outcome, written, problems, notes)


def _where(row: Row, problem: Problem, describe: Callable[[Problem], str]) -> str:
    """The column or property a problem is about, and its line when not the row's own (an
    offering on a later line of a CSV file)."""
    line = row.line_of(problem)
    return describe(problem) if line == row.line else f"{describe(problem)} (line {line})"
