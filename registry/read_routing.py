"""Which database a read runs on: a streaming replica when one has replayed everything the
reader must see, else the primary.

What a reader must see: every public change this process has been told about (so that the
response cache never fills from a replica that is behind a change it has heard of), and,
for a client with a token, its own last write (read-your-writes). Positions are compared
as WAL LSNs; a replica known to be past the required position is used without asking it
again. A replica that cannot be reached sends the read to the primary.
"""

from __future__ import annotations

import itertools
import logging
from typing import Sequence

import asyncpg

from registry.db import Database
from registry.store import replication

log = logging.getLogger(__name__)


class ReadRouter:
    """Routes reads between the primary and its replicas (round robin among replicas)."""

    def __init__(self, primary: Database, replicas: Sequence[Database] = ()) -> None:
        self.primary, self.replicas = primary, list(replicas)
        self.fence = 0  # WAL position of the last public change this process heard of
        self.fence_pending = False  # a change was heard, its position not yet known
        self.replayed = [0] * len(self.replicas)  # the furthest position each replica is known to have
        self._turns = itertools.cycle(range(len(self.replicas)))  # never drawn from without replicas

    @property
    def enabled(self) -> bool:
        return bool(self.replicas)

    def change_heard(self) -> None:
        """A public change committed; until its position is known, reads go to the primary."""
        self.fence_pending = True

    def change_position(self, position: int) -> None:
        """The WAL position that covers every change heard so far."""
        self.fence, self.fence_pending = max(self.fence, position), False

    async def for_read(self, client_id: str | None) -> Database:
        """The database for one read request by ``client_id`` (None: anonymous)."""
        if not self.replicas or self.fence_pending:
            return self.primary
        required = self.fence
        if client_id is not None:
            required = max(required, await replication.last_write(self.primary, client_id))
        turn = next(self._turns)
        if self.replayed[turn] >= required:
            return self.replicas[turn]
        try:
            position = await replication.replayed_position(self.replicas[turn])
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("replica %d unreachable (%s): reading from the primary", turn, error)
            return self.primary
        self.replayed[turn] = max(self.replayed[turn], position or required)
        return self.replicas[turn] if self.replayed[turn] >= required else self.primary

    async def after_write(self, client_id: str) -> None:
        """Record where ``client_id``'s write ended, for its next reads."""
        if self.replicas:
            await replication.record_write(self.primary, client_id)
