"""Writing the export from the database into files, at the database's pace, never a client's.

``build_snapshot`` writes a whole snapshot set (the full export and one file per configured
jurisdiction) in one pass over one repeatable-read snapshot. ``spool`` writes one filtered
export that no snapshot file serves into an anonymous temporary file. Either way the
transaction, and its connection, end before the first byte goes to any client.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Sequence

import asyncpg

from registry.db import Database
from registry.domain import ids
from registry.interop.registry_json import json_line, listing_json
from registry.migrate import ROOT
from registry.services.export.files import (
    FULL,
    JsonlFile,
    Snapshot,
    SnapshotFile,
    keep_file,
    micros,
    prune,
    write_manifest,
)
from registry.store import credentials
from registry.store.export import changed_since, content_marks, published_listings, snapshot_marks

YIELD_EVERY = 200  # rows encoded between two turns of the event loop for other requests
WRITE_BUFFER = 1 << 20


class Abandoned(Exception):
    """The build was stopped (the process is shutting down)."""


def _code_digest() -> str:
    """A digest of the registry's source and migrations: a set written by other code may not
    be what this code writes (a field added, a format fixed, a jurisdiction redefined in SQL),
    so an upgrade rebuilds it. Taken at import, so that a process labels what it writes with
    the code it runs, even when the files have been replaced since."""
    digest = hashlib.blake2b(digest_size=16)
    for folder in (ROOT / "registry", ROOT / "migrations"):
        for path in sorted(folder.rglob("*.py")):
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


CODE_DIGEST = _code_digest()


async def still_current(db: Database, snapshot: Snapshot, jurisdictions: Sequence[str]) -> bool:
    """Whether ``snapshot`` holds what a build would write now: written by this code, with a
    file for each of ``jurisdictions``, nothing its lines hold written since (by the rows'
    transaction stamps) and the same rows summed up. A process starting cannot know what it
    missed while down, and without this check rebuilt the whole export at every start (40 s
    of a core at 100,000 listings)."""
    if snapshot.database_snapshot is None or snapshot.content is None or snapshot.code != CODE_DIGEST:
        return False
    if set(snapshot.files) != {FULL, *jurisdictions}:
        return False
    try:
        if await changed_since(db, snapshot.database_snapshot):
            return False
    except ValueError:  # not a snapshot this code can read: build anew
        return False
    return await content_marks(db) == snapshot.content


def listing_line(row: asyncpg.Record) -> bytes:
    """One export line: a listing row with its provider and taxonomy codes, as JSON."""
    provider = {
        "id": ids.encode("Provider", row["provider_id"]),
        "slug": row["provider_slug"],
        "name": row["provider_name"],
        "jurisdiction": row["provider_jurisdiction"],
    }
    partners = [ids.encode("Provider", partner) for partner in row["offered_by"]]
    return json_line(
        listing_json(
            credentials.build(row),
            provider=provider,
            offered_by=partners,
            skills=row["skills"],
            occupations=row["occupations"],
        )
    )


async def build_snapshot(
    db: Database,
    folder: Path,
    jurisdictions: Sequence[str],
    previous: Snapshot | None,
    started_at: float,
    stop: asyncio.Event | None = None,
) -> Snapshot:
    """Write a new snapshot set into ``folder`` and make it current; returns it.

    A file whose bytes did not change keeps its name, ETag and Last-Modified; one that
    changed gets a Last-Modified of the snapshot's time, and always a later one than before."""
    folder.mkdir(parents=True, exist_ok=True)
    labels = [FULL, *dict.fromkeys(jurisdictions)]
    temporaries: dict[str, Path] = {}
    writers: dict[str, JsonlFile] = {}
    try:
        for label in labels:
            fd, name = tempfile.mkstemp(dir=folder, prefix=".build-", suffix=".jsonl")
            temporaries[label] = Path(name)
            writers[label] = JsonlFile(os.fdopen(fd, "wb", buffering=WRITE_BUFFER))
        async with db.transaction(isolation="repeatable_read") as tx:  # one consistent snapshot
            position, at, seen = await snapshot_marks(tx)
            content = await content_marks(tx)
            count = 0
            async for row in published_listings(
                tx, jurisdiction=None, updated_since=None, tag_jurisdictions=labels[1:]
            ):
                line, updated = listing_line(row), micros(row["updated_at"])
                writers[FULL].write(line, updated)
                for jurisdiction in row["jurisdictions"] if len(labels) > 1 else ():
                    writers[jurisdiction].write(line, updated)
                count += 1
                if count % YIELD_EVERY == 0:
                    if stop is not None and stop.is_set():
                        raise Abandoned()
                    await asyncio.sleep(0)
        snapshot = Snapshot(started_at, position, {}, seen, content, CODE_DIGEST)
        for label in labels:
            writers[label].file.close()
            snapshot.files[label] = await asyncio.to_thread(
                _keep, folder, label, temporaries[label], writers[label], previous, at
            )
        await asyncio.to_thread(write_manifest, folder, snapshot)
        await asyncio.to_thread(prune, folder, snapshot)
        return snapshot
    finally:
        for label, path in temporaries.items():
            if label in writers:
                writers[label].file.close()
            path.unlink(missing_ok=True)


def _keep(
    folder: Path, label: str, temporary: Path, writer: JsonlFile, previous: Snapshot | None, at: datetime
) -> SnapshotFile:
    """File one finished file and its index under their content-derived names."""
    stem = f"{label}-{writer.hexdigest[:32]}"
    keep_file(folder, temporary, f"{stem}.jsonl")
    index = folder / f".build-{stem}.idx"
    index.write_bytes(writer.index)
    keep_file(folder, index, f"{stem}.idx")
    before = previous.files.get(label) if previous is not None else None
    if before is not None and before.etag == writer.etag:
        modified = before.last_modified
    else:
        modified = max(int(at.timestamp()), before.last_modified + 1 if before is not None else 0)
    return SnapshotFile(f"{stem}.jsonl", f"{stem}.idx", writer.etag, writer.size, writer.rows, modified)


@dataclass
class Spooled:
    """One filtered export, written out: read it from ``file`` (anonymous: gone once closed)."""

    file: IO[bytes]
    etag: str
    size: int
    last_modified: int
    position: tuple[int, int] | None  # the change feed's, everything before it is in the file


async def spool(db: Database, folder: Path, *, jurisdiction: str | None, updated_since: datetime | None) -> Spooled:
    """Write the export with these filters into a temporary file in ``folder`` at the
    database's pace; the connection is back in the pool when this returns."""
    folder.mkdir(parents=True, exist_ok=True)
    file = tempfile.TemporaryFile(dir=folder, buffering=WRITE_BUFFER)  # no name: nothing left behind
    try:
        writer = JsonlFile(file)
        async with db.transaction(isolation="repeatable_read") as tx:
            position, at, _ = await snapshot_marks(tx)
            async for row in published_listings(tx, jurisdiction=jurisdiction, updated_since=updated_since):
                writer.write(listing_line(row), micros(row["updated_at"]))
                if writer.rows % YIELD_EVERY == 0:
                    await asyncio.sleep(0)
        file.flush()
    except BaseException:
        file.close()
        raise
    return Spooled(file, writer.etag, writer.size, int(at.timestamp()), position)
