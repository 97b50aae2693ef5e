"""Test databases made ahead of time: cloning the migrated template takes a few tenths of a
second (hundreds of relation files to create), which every test would otherwise wait for.
While a test runs (mostly waiting on the server), a background task clones the next ones; a
test takes one ready, and its database is dropped in the background once it is done.
"""

from __future__ import annotations

import asyncio
import itertools

import asyncpg

AHEAD = 2  # clones kept ready: enough to hide a clone behind one test, little to drop at the end


async def admin(dsn: str, sql: str) -> None:
    """Run one statement on the server (CREATE and DROP DATABASE run outside transactions)."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


class Clones:
    """Clones of ``template`` on the server of ``server_dsn``, named ``{prefix}_t{n}``."""

    def __init__(self, server_dsn: str, template: str, prefix: str) -> None:
        self.server_dsn, self.template, self.prefix = server_dsn, template, prefix
        self.counter = itertools.count()
        self.ready: asyncio.Queue[str] = asyncio.Queue(maxsize=AHEAD)
        self.dropping: set[asyncio.Task] = set()
        self.filler: asyncio.Task | None = None

    async def make(self) -> str:
        """A new clone, made now."""
        name = f"{self.prefix}_t{next(self.counter)}"
        await admin(self.server_dsn, f'create database "{name}" template "{self.template}" strategy wal_log')
        return name

    async def take(self) -> str:
        """A clone nobody has used, made ahead when the filler is running."""
        if self.filler is None:
            self.filler = asyncio.get_running_loop().create_task(self._fill())
        if self.filler.done():  # it failed: say why, here, rather than wait for ever
            self.filler.result()
        return await self.ready.get()

    def give_back(self, name: str) -> None:
        """Drop a used clone, in the background."""
        task = asyncio.get_running_loop().create_task(
            admin(self.server_dsn, f'drop database if exists "{name}" with (force)')
        )
        self.dropping.add(task)
        task.add_done_callback(self.dropping.discard)

    async def close(self) -> None:
        """Stop making clones; drop the ready ones and wait for every drop."""
        if self.filler is not None:
            self.filler.cancel()
            await asyncio.gather(self.filler, return_exceptions=True)
        while not self.ready.empty():
            self.give_back(self.ready.get_nowait())
        await asyncio.gather(*self.dropping, return_exceptions=True)

    async def _fill(self) -> None:
        while True:
            await self.ready.put(await self.make())
