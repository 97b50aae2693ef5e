"""Waiting on asyncio events, for the long-running loops (change notices, the export keeper)."""

from __future__ import annotations

import asyncio


async def first_set(*events: asyncio.Event) -> None:
    """Wait until any of ``events`` is set."""
    waits = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in waits:
            task.cancel()
