"""Keeping the export's snapshot set current: rebuilt after public changes, debounced, and
built by one process at a time per folder.

Every serving process runs a keeper. Change notices (registry.http.change_notices: PostgreSQL
NOTIFY at commit, heard by every process on every machine; also on every (re)connection,
since notices may have been missed meanwhile) wake it; it waits until changes have been
quiet for ``MICROCRED_EXPORT_DEBOUNCE`` seconds (at most twelve times that since the first
change not yet built, so a steady stream of writes cannot starve it), then takes the
folder's lock (flock: released by the kernel if the process dies). Holding it, it builds
unless the current set was begun after the last notice it heard, which means another
process sharing the folder has already built what it would build, or unless nothing the set
holds was written since its build (a process starting hears of "anything may have changed").
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import time
from pathlib import Path

from registry.config import Settings
from registry.db import connect, is_unavailable
from registry.domain.search import is_region
from registry.events import first_set
from registry.services.export.build import Abandoned, build_snapshot, still_current
from registry.services.export.files import FULL, read_manifest

LOCK = "build.lock"
LOCK_POLL_SECONDS = 0.2
RETRY_SECONDS = 5.0
log = logging.getLogger(__name__)


class Keeper:
    """Rebuilds the snapshot set in ``folder`` from the database at ``dsn`` after changes."""

    def __init__(self, dsn: str, settings: Settings, folder: Path) -> None:
        self.dsn, self.settings, self.folder = dsn, settings, folder
        self.jurisdictions = [j for j in settings.export_jurisdictions if is_region(j)]
        if len(self.jurisdictions) != len(settings.export_jurisdictions):
            log.warning(
                "MICROCRED_EXPORT_JURISDICTIONS: ignoring %s (codes such as CA-ON)",
                sorted(set(settings.export_jurisdictions) - set(self.jurisdictions)),
            )
        self.quiet = settings.export_debounce_seconds
        self.wake = asyncio.Event()
        self.last_heard = self.first_unbuilt = 0.0
        self._working = False

    @property
    def current(self) -> bool:
        """Whether every change this process has heard of is in the snapshot set (built here or
        found built), so that it is not about to spend a core on a build."""
        return not self.wake.is_set() and not self._working

    def heard(self) -> None:
        """A public change committed (or the notices reconnected: anything may have changed)."""
        self.last_heard = time.time()
        self.first_unbuilt = self.first_unbuilt or self.last_heard
        self.wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Rebuild after changes until ``stop`` is set."""
        failures = 0
        while not stop.is_set():
            await first_set(stop, self.wake)
            if stop.is_set() or not await self._settle(stop):
                return
            covered, self.first_unbuilt = self.last_heard, 0.0
            self.wake.clear()  # notices from here on call for another build
            self._working = True
            try:
                await self._build_unless_done(covered, stop)
                failures = 0
            except Abandoned:
                return
            except Exception as error:  # a background task: report, and try again later
                failures += 1
                if is_unavailable(error):
                    log.warning("export snapshot not built (database unavailable: %s); retrying", error)
                else:
                    log.exception("export snapshot not built; retrying")
                self.first_unbuilt = self.first_unbuilt or covered
                self.wake.set()
                if await _stopped(stop, min(60.0, RETRY_SECONDS * 2 ** (failures - 1))):
                    return
            finally:
                self._working = False

    async def _settle(self, stop: asyncio.Event) -> bool:
        """Wait until changes have been quiet long enough; False when stopped meanwhile."""
        while True:
            due = min(self.last_heard + self.quiet, self.first_unbuilt + 12 * self.quiet)
            if due <= time.time():
                return True
            if await _stopped(stop, due - time.time()):
                return False

    async def _build_unless_done(self, covered: float, stop: asyncio.Event) -> None:
        lock = await self._lock(stop)
        if lock is None:
            return
        try:
            current = await asyncio.to_thread(read_manifest, self.folder)
            if current is not None and current.started_at >= covered:
                return  # begun after the last change this process heard of: it holds it
            started = time.time()
            db = await connect(self.dsn, self.settings, min_size=1, max_size=1)
            try:
                if current is not None and await still_current(db, current, self.jurisdictions):
                    log.info("export snapshot kept: nothing it holds changed since it was built")
                    return
                built = await build_snapshot(db, self.folder, self.jurisdictions, current, started, stop)
            finally:
                await db.close()
            log.info("export snapshot built in %.1f s: %d listings", time.time() - started, built.files[FULL].rows)
        finally:
            os.close(lock)  # releases the flock

    async def _lock(self, stop: asyncio.Event) -> int | None:
        """The folder's build lock (a descriptor holding an flock), or None when stopped first."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if await _stopped(stop, LOCK_POLL_SECONDS):  # polled: a blocking flock could not be cancelled
                    os.close(fd)
                    return None


async def _stopped(stop: asyncio.Event, seconds: float) -> bool:
    """Wait up to ``seconds``; whether ``stop`` was set."""
    try:
        await asyncio.wait_for(stop.wait(), max(0.0, seconds))
    except TimeoutError:
        pass
    return stop.is_set()
