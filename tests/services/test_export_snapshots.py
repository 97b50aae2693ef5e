"""The export's snapshot set shared by processes: built once per change, nothing left behind."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time

from registry.services.export.files import MANIFEST, read_manifest
from registry.services.export.keeper import LOCK, Keeper
from tests.support.apps import SETTINGS


async def _until(condition, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_processes_sharing_a_folder_build_each_change_once(db_dsn, tmp_path, caplog):
    """Threat: every process of `serve --workers N` rebuilding the whole export after each
    change multiplies the database work by N (load amplification by writes). Three keepers
    share one folder, as the processes of one machine do: each change is built once."""
    settings = dataclasses.replace(SETTINGS, export_debounce_seconds=0.05, export_jurisdictions=("CA-ON", "CA-QC"))
    keepers = [Keeper(db_dsn, settings, tmp_path) for _ in range(3)]
    caplog.set_level(logging.INFO, logger="registry.services.export.keeper")

    def built() -> int:
        return sum("export snapshot built" in record.getMessage() for record in caplog.records)

    stop = asyncio.Event()
    running = [asyncio.create_task(keeper.run(stop)) for keeper in keepers]
    try:
        for changes in (1, 2):
            for keeper in keepers:  # a change notice reaches every process
                keeper.heard()
            await _until(lambda wanted=changes: built() == wanted)
            await asyncio.sleep(0.5)  # the others get the lock in turn and find the set up to date
            assert built() == changes
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*running), 10)
    snapshot = read_manifest(tmp_path)
    expected = {MANIFEST, LOCK} | {name for f in snapshot.files.values() for name in (f.name, f.index)}
    assert {path.name for path in tmp_path.iterdir()} == expected  # earlier sets and temporaries are gone
    assert set(snapshot.files) == {"all", "CA-ON", "CA-QC"}
