"""Bulk export: every published listing as JSON Lines, and its two filters.

`microcred export` streams it straight from the database (``export_lines``): a local
operator's command, with no client at the other end to be slow. This module stays light
(no web or GraphQL layer) so that the command runs in little memory.

`GET /export/credentials.jsonl?jurisdiction=CA-ON&updatedSince=2026-01-01T00:00:00Z`
(registry.http.export) is served from files, never from a database connection held while
a client reads:

- the full export and each jurisdiction of ``MICROCRED_EXPORT_JURISDICTIONS`` come from the
  current snapshot set (registry.services.export.keeper rebuilds it after changes); ``updatedSince``
  is the tail of such a file (registry.services.export.files);
- other filters are spooled to a temporary file at the database's pace first
  (registry.services.export.build.spool), at most a quarter of the pool at a time per process;
- either way the file goes out with a strong ETag, Last-Modified, 304s and byte ranges
  (registry.http.files), and ``X-Microcred-Changes-Cursor`` says where to follow the change
  feed from; each caller may have ``MICROCRED_EXPORTS_PER_CALLER`` downloads at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import AsyncIterator

from registry.db import Database
from registry.domain.search import is_region
from registry.domain.storable import calendar_problem
from registry.services.export.build import listing_line
from registry.store import export


async def export_lines(
    db: Database, *, jurisdiction: str | None, updated_since: datetime | None
) -> AsyncIterator[bytes]:
    """The export, one JSON line per published listing, oldest change first (the command line's)."""
    async with db.transaction(isolation="repeatable_read") as tx:  # one consistent snapshot
        async for row in export.published_listings(tx, jurisdiction=jurisdiction, updated_since=updated_since):
            yield listing_line(row)


def parse_filters(jurisdiction: str | None, updated_since: str | None) -> tuple[str | None, datetime | None]:
    """The export's filters, checked; raises ValueError with a message for people."""
    if jurisdiction and not is_region(jurisdiction):
        raise ValueError(f"jurisdiction {jurisdiction!r} is not an ISO 3166 code such as 'CA-ON' or 'CA'.")
    since = None
    if updated_since:
        try:
            since = datetime.fromisoformat(updated_since.replace("Z", "+00:00"))
        except ValueError as error:
            raise ValueError(f"updatedSince {updated_since!r} is not an ISO 8601 date-time.") from error
        if since.tzinfo is None:
            raise ValueError("updatedSince needs a time zone offset, e.g. 2026-01-01T00:00:00Z.")
        if problem := calendar_problem("updatedSince", since):
            raise ValueError(problem)
    return jurisdiction, since
