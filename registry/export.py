"""Bulk export: every published listing as JSON Lines, streamed in constant memory.

`GET /export/credentials.jsonl?jurisdiction=CA-ON&updatedSince=2026-01-01T00:00:00Z`, and
`microcred export`, share the generator below.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from registry.api import ids
from registry.db import Database
from registry.domain.search import REGION_PATTERN
from registry.interop.registry_json import json_line, listing_json
from registry.store import credentials, export


async def export_lines(db: Database, *, jurisdiction: str | None, updated_since: datetime | None) -> AsyncIterator[bytes]:
    """The export, one JSON line per published listing, oldest change first."""
    async with db.transaction(isolation="repeatable_read") as tx:  # one consistent snapshot
        async for row in export.published_listings(tx, jurisdiction=jurisdiction, updated_since=updated_since):
            provider = {"id": ids.encode("Provider", row["provider_id"]), "slug": row["provider_slug"],
                        "name": row["provider_name"], "jurisdiction": row["provider_jurisdiction"]}
            yield json_line(listing_json(credentials.build(row), provider=provider, skills=row["skills"],
                                         occupations=row["occupations"]))


def parse_filters(jurisdiction: str | None, updated_since: str | None) -> tuple[str | None, datetime | None]:
    """The export's filters, checked; raises ValueError with a message for people."""
    if jurisdiction and not re.match(REGION_PATTERN, jurisdiction):
        raise ValueError(f"jurisdiction {jurisdiction!r} is not an ISO 3166 code such as 'CA-ON' or 'CA'.")
    since = None
    if updated_since:
        try:
            since = datetime.fromisoformat(updated_since.replace("Z", "+00:00"))
        except ValueError as error:
            raise ValueError(f"updatedSince {updated_since!r} is not an ISO 8601 date-time.") from error
        if since.tzinfo is None:
            raise ValueError("updatedSince needs a time zone offset, e.g. 2026-01-01T00:00:00Z.")
    return jurisdiction, since


async def credentials_jsonl(request: Request) -> Response:
    """GET /export/credentials.jsonl"""
    try:
        jurisdiction, since = parse_filters(request.query_params.get("jurisdiction"),
                                            request.query_params.get("updatedSince"))
    except ValueError as error:
        return JSONResponse({"error": "invalid_request", "error_description": str(error)}, status_code=400)
    lines = export_lines(request.app.state.db, jurisdiction=jurisdiction, updated_since=since)
    return StreamingResponse(lines, media_type="application/x-ndjson",
                             headers={"content-disposition": 'attachment; filename="credentials.jsonl"'})
