"""The export's files on disk: JSON Lines written with their SHA-256 and a line index, and
the manifest that names the current snapshot set.

A snapshot set is one file per label ("all", and one per jurisdiction of
``MICROCRED_EXPORT_JURISDICTIONS``), built from one database snapshot. Files are named by
their content hash, so an unchanged file keeps its name (and its ETag and Last-Modified)
from one build to the next, and a name never points at other bytes. Each has an index: for
every line, the listing's ``updatedAt`` in microseconds and the line's byte offset. Lines
are in ``updatedAt`` order, so "updated since T" is the file's tail from the first line at
or after T, found by binary search without reading the file.

``manifest.json`` names the files of the current set; it is replaced atomically (written
under another name, then renamed), so a reader sees the old set or the new one, never half.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

FULL = "all"  # the label of the unfiltered export
MANIFEST = "manifest.json"
INDEX_ENTRY = struct.Struct("<qq")  # (updatedAt in microseconds since the epoch, byte offset of the line)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(moment: datetime) -> int:
    """Microseconds since the epoch, exactly (PostgreSQL's resolution; floats would round)."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


class JsonlFile:
    """A JSON Lines file being written: its size, SHA-256 and line index as it grows."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file, self.digest, self.index = file, hashlib.sha256(), bytearray()
        self.size = self.rows = 0

    def write(self, line: bytes, updated_micros: int) -> None:
        """Append one line of a listing updated at ``updated_micros``."""
        self.index += INDEX_ENTRY.pack(updated_micros, self.size)
        self.file.write(line)
        self.digest.update(line)
        self.size += len(line)
        self.rows += 1

    @property
    def hexdigest(self) -> str:
        return self.digest.hexdigest()

    @property
    def etag(self) -> str:
        """A strong entity tag: equal bytes, equal tag, on every process and machine."""
        return f'"{self.hexdigest[:32]}"'


@dataclass(frozen=True)
class SnapshotFile:
    """One file of a snapshot set: its name and index name in the folder, and how it is served."""

    name: str
    index: str
    etag: str
    size: int
    rows: int
    last_modified: int  # seconds since the epoch, whole (HTTP dates have no fractions)


@dataclass(frozen=True)
class Snapshot:
    """A snapshot set: when its build began (this machine's clock), the change-feed position
    (txid, seq) it holds everything before, its files by label, and what it was built from:
    the database's snapshot (`pg_snapshot` text), a summary of the rows read
    (``store.export.content_marks``) and the code that wrote it (a digest)."""

    started_at: float
    position: tuple[int, int] | None
    files: dict[str, SnapshotFile]
    database_snapshot: str | None = None  # absent in manifests written before they were kept
    content: str | None = None
    code: str | None = None


def read_manifest(folder: Path) -> Snapshot | None:
    """The current snapshot set of ``folder``; None when there is none (yet)."""
    try:
        data = json.loads((folder / MANIFEST).read_bytes())
    except FileNotFoundError:
        return None
    position = data.get("position")  # absent in a manifest written before positions were kept
    return Snapshot(
        data["started_at"],
        (position[0], position[1]) if position else None,
        {label: SnapshotFile(**entry) for label, entry in data["files"].items()},
        data.get("database_snapshot"),
        data.get("content"),
        data.get("code"),
    )


def write_manifest(folder: Path, snapshot: Snapshot) -> None:
    """Make ``snapshot`` the current set, atomically and durably."""
    body = json.dumps(
        {
            "started_at": snapshot.started_at,
            "position": list(snapshot.position) if snapshot.position else None,
            "files": {label: asdict(f) for label, f in snapshot.files.items()},
            "database_snapshot": snapshot.database_snapshot,
            "content": snapshot.content,
            "code": snapshot.code,
        }
    ).encode()
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".manifest-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, folder / MANIFEST)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(folder)


def keep_file(folder: Path, temporary: Path, name: str) -> None:
    """Put a finished (flushed) file under its final, content-derived ``name``: renamed into
    place, or dropped when a file of that name, the same bytes, is already there."""
    final = folder / name
    if final.exists():
        temporary.unlink()
        return
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())  # the bytes are on disk before any manifest names them
    os.replace(temporary, final)


def prune(folder: Path, snapshot: Snapshot) -> None:
    """Delete the files no longer in the current set, and leftovers of interrupted builds.
    A reader that opened one keeps reading it (POSIX); one about to open it reads the new
    manifest instead."""
    kept = {name for f in snapshot.files.values() for name in (f.name, f.index)}
    for path in folder.iterdir():
        leftover = path.name.startswith((".build-", ".manifest-"))
        if leftover or (path.suffix in (".jsonl", ".idx") and path.name not in kept):
            path.unlink(missing_ok=True)


def tail_offset(index_path: Path, since_micros: int, size: int) -> int:
    """The byte offset of the first line updated at or after ``since_micros`` (``size`` when
    none is), by binary search over the index."""
    fd = os.open(index_path, os.O_RDONLY)
    try:
        low, high = 0, os.fstat(fd).st_size // INDEX_ENTRY.size
        while low < high:
            middle = (low + high) // 2
            updated, _ = INDEX_ENTRY.unpack(os.pread(fd, INDEX_ENTRY.size, middle * INDEX_ENTRY.size))
            if updated < since_micros:
                low = middle + 1
            else:
                high = middle
        if low == os.fstat(fd).st_size // INDEX_ENTRY.size:
            return size
        offset: int = INDEX_ENTRY.unpack(os.pread(fd, INDEX_ENTRY.size, low * INDEX_ENTRY.size))[1]
        return offset
    finally:
        os.close(fd)


class Shelf:
    """The snapshot sets of one folder as this process sees them: the manifest is read again
    only when it was replaced."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._seen: tuple[int, int] | None = None
        self._snapshot: Snapshot | None = None

    def current(self) -> Snapshot | None:
        """The current snapshot set, or None."""
        try:
            stat = os.stat(self.folder / MANIFEST)
        except FileNotFoundError:
            return None
        seen = (stat.st_ino, stat.st_mtime_ns)
        if seen != self._seen:
            self._snapshot, self._seen = read_manifest(self.folder), seen
        return self._snapshot

    def open(self, label: str) -> tuple[int, SnapshotFile, Snapshot] | None:
        """An open descriptor on the current file of ``label`` (the caller closes it), the
        file's entry and its set; None when there is no such file yet."""
        for _ in range(3):  # a build may replace the set between reading the manifest and opening
            snapshot = self.current()
            if snapshot is None or label not in snapshot.files:
                return None
            entry = snapshot.files[label]
            try:
                return os.open(self.folder / entry.name, os.O_RDONLY), entry, snapshot
            except FileNotFoundError:
                self._seen = None
        return None


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)  # the renames themselves survive a crash
    finally:
        os.close(fd)
