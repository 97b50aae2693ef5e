"""PostgreSQL's notices that public data changed, received on a connection of their own.

Migration 0010 makes every statement that writes public data `NOTIFY registry_public_data`
(sent at commit). `ChangeNotices.run` listens and, for each notice, empties the response
cache and tells the read router where the primary's WAL now ends (so that reads after the
change only go to replicas that have replayed it), and calls ``on_change`` (the export's
snapshot keeper). It keeps `cache.listening` true only
while connected: a lost connection may have lost notices, so the cache stops serving until
the connection is back, and is cleared then.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable

import asyncpg

from registry.db import Executor
from registry.events import first_set
from registry.http.response_cache import ResponseCache
from registry.read_routing import ReadRouter
from registry.store import health, replication

CHANNEL = "registry_public_data"
APPLICATION_NAME = "microcred change notices"  # how operators spot the connection in pg_stat_activity
log = logging.getLogger(__name__)


class ChangeNotices:
    """Keeps a response cache and a read router in step with the database's committed changes."""

    def __init__(
        self,
        dsn: str,
        cache: ResponseCache,
        router: ReadRouter | None = None,
        *,
        retry_seconds: float = 1.0,
        ping_seconds: float = 5.0,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.dsn, self.cache, self.router, self.on_change = dsn, cache, router, on_change
        self.retry_seconds, self.ping_seconds = retry_seconds, ping_seconds

    async def run(self, stop: asyncio.Event) -> None:
        """Listen until ``stop`` is set, reconnecting after any loss."""
        while not stop.is_set():
            try:
                await self._listen(stop)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("change notices: %s; the response cache is off until they resume", error)
            self.cache.listening = False
            self.cache.clear()
            if not stop.is_set():
                try:
                    await asyncio.wait_for(stop.wait(), self.retry_seconds)
                except TimeoutError:
                    pass

    def _heard(self, *_) -> None:
        self.cache.change_heard()
        if self.router is not None:
            self.router.change_heard()
        if self.on_change is not None:
            self.on_change()
        self.noticed.set()

    async def _listen(self, stop: asyncio.Event) -> None:
        lost, self.noticed = asyncio.Event(), asyncio.Event()
        conn = await asyncpg.connect(self.dsn, server_settings={"application_name": APPLICATION_NAME})
        db = Executor(conn)
        try:
            conn.add_termination_listener(lambda _: lost.set())
            await conn.add_listener(CHANNEL, self._heard)
            self._heard()  # whatever happened while nobody listened
            self.cache.listening = True
            while not (stop.is_set() or lost.is_set()):
                if self.noticed.is_set():
                    self.noticed.clear()
                    if self.router is not None:
                        self.router.change_position(await replication.current_position(db))
                    continue
                try:
                    await asyncio.wait_for(first_set(stop, lost, self.noticed), self.ping_seconds)
                except TimeoutError:
                    # A silently dropped connection raises no event: ask it something.
                    await asyncio.wait_for(health.ping(db), self.ping_seconds)
        finally:
            self.cache.listening = False
            if not conn.is_closed():
                await conn.close(timeout=2)
