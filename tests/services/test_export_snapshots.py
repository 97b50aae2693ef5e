"""The export's snapshot set shared by processes: built once per change, nothing left behind."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time

import pytest

from registry.services.export import build
from registry.services.export.files import MANIFEST, read_manifest
from registry.services.export.keeper import LOCK, Keeper
from registry.services.seeding import seed
from tests.support.apps import SETTINGS

RENAME_A_PROVIDER = (
    'update providers set name = name || \'{"fr": "Nouveau nom"}\' where slug = (select min(slug) from providers)'
)
EDIT_A_LISTING = (
    'update credentials set title = title || \'{"en": "Retitled"}\''
    " where id = (select min(id::text)::uuid from credentials where status = 'PUBLISHED')"
)


async def _until(condition, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_processes_sharing_a_folder_build_each_change_once(db, db_dsn, tmp_path, caplog):
    """Threat: every process of `serve --workers N` rebuilding the whole export after each
    change multiplies the database work by N (load amplification by writes). Three keepers
    share one folder, as the processes of one machine do: each change is built once."""
    settings = dataclasses.replace(SETTINGS, export_debounce_seconds=0.05, export_jurisdictions=("CA-ON", "CA-QC"))
    keepers = [Keeper(db_dsn, settings, tmp_path) for _ in range(3)]
    caplog.set_level(logging.INFO, logger="registry.services.export.keeper")

    def built() -> int:
        return sum("export snapshot built" in record.getMessage() for record in caplog.records)

    def kept() -> int:  # the others see the set begun after the notice, without asking the database
        return sum("export snapshot kept" in record.getMessage() for record in caplog.records)

    stop = asyncio.Event()
    running = [asyncio.create_task(keeper.run(stop)) for keeper in keepers]
    try:
        await seed(db, 0)  # providers, no listings
        for changes in (1, 2):
            await db.execute(RENAME_A_PROVIDER)
            for keeper in keepers:  # a change notice reaches every process
                keeper.heard()
            await _until(lambda wanted=changes: built() == wanted)
            await asyncio.sleep(0.5)  # the others get the lock in turn and find the set up to date
            assert built() == changes and kept() == 0
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*running), 10)
    snapshot = read_manifest(tmp_path)
    expected = {MANIFEST, LOCK} | {name for f in snapshot.files.values() for name in (f.name, f.index)}
    assert {path.name for path in tmp_path.iterdir()} == expected  # earlier sets and temporaries are gone
    assert set(snapshot.files) == {"all", "CA-ON", "CA-QC"}


class _Restarts:
    """Keepers over one folder, each started as a restarted process starts: it hears that
    anything may have changed, and builds or keeps the set."""

    def __init__(self, dsn: str, folder, caplog) -> None:
        self.dsn, self.folder, self.caplog = dsn, folder, caplog
        self.settings = dataclasses.replace(SETTINGS, export_debounce_seconds=0.01, export_jurisdictions=("CA-ON",))
        caplog.set_level(logging.INFO, logger="registry.services.export.keeper")

    async def start(self) -> str:
        """'built' or 'kept', as the new process's keeper logged it."""
        self.caplog.clear()
        keeper, stop = Keeper(self.dsn, self.settings, self.folder), asyncio.Event()
        running = asyncio.create_task(keeper.run(stop))
        keeper.heard()
        assert not keeper.current  # until it has built or kept the set
        try:
            await _until(lambda: self._said() is not None)
            await _until(lambda: keeper.current)
        finally:
            stop.set()
            await asyncio.wait_for(running, 10)
        return self._said()

    def _said(self) -> str | None:
        for record in self.caplog.records:
            if (message := record.getMessage()).startswith("export snapshot "):
                return message.split()[2].rstrip(":")
        return None


@pytest.fixture
async def restarts(db, db_dsn, tmp_path, caplog):
    await seed(db, 20)
    return _Restarts(db_dsn, tmp_path, caplog)


async def test_a_restarted_process_keeps_the_set_when_nothing_it_holds_changed(restarts):
    assert await restarts.start() == "built"
    first = read_manifest(restarts.folder)
    assert await restarts.start() == "kept"
    assert read_manifest(restarts.folder) == first


@pytest.mark.parametrize("change", [RENAME_A_PROVIDER, EDIT_A_LISTING], ids=["a provider renamed", "a listing edited"])
async def test_a_restarted_process_rebuilds_after_a_write_it_did_not_hear_of(restarts, db, change):
    assert await restarts.start() == "built"
    await db.execute(change)
    assert await restarts.start() == "built"


async def test_a_restarted_process_rebuilds_after_rows_were_put_back_without_their_stamps(restarts, db):
    """A logical restore writes rows as they were, with the transaction stamps they had (no
    trigger runs): the stamps alone said nothing changed, and the set kept the newer title."""
    assert await restarts.start() == "built"
    await db.execute(
        "begin; set local session_replication_role = replica;"
        ' update credentials set title = \'{"en": "As it was"}\', version = version - 1'
        " where id = (select min(id::text)::uuid from credentials where status = 'PUBLISHED' and version > 1); commit;"
    )
    assert await restarts.start() == "built"


async def test_a_restarted_process_rebuilds_a_set_written_by_other_code(restarts, monkeypatch):
    assert await restarts.start() == "built"
    monkeypatch.setattr(build, "CODE_DIGEST", "an upgrade")
    assert await restarts.start() == "built"


async def test_a_restarted_process_rebuilds_when_its_jurisdictions_changed(restarts):
    assert await restarts.start() == "built"
    restarts.settings = dataclasses.replace(restarts.settings, export_jurisdictions=("CA-ON", "CA-QC"))
    assert await restarts.start() == "built"
    assert set(read_manifest(restarts.folder).files) == {"all", "CA-ON", "CA-QC"}
