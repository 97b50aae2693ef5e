"""The benchmark's floor: the SQL of the search page served as JSON by a bare Starlette
endpoint over asyncpg (bench-only code). The GraphQL stack's cost is reported as a ratio to it.

It makes the same store calls the SearchPage operation makes (the page, every facet with the
total, then providers, skills, occupations, recognitions of the page, and the authorities of
the page and of the recognizedBy facet, batched), so the ratio measures what Strawberry, the
middleware and the resolvers add.

Run: FLOOR_DSN=... python -m uvicorn bench.floor:build_from_env --factory --port PORT [--workers N]
"""

from __future__ import annotations

import asyncio
import os
from contextlib import asynccontextmanager
from datetime import date
from uuid import UUID

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.config import Settings
from registry.db import connect
from registry.domain.search import PUBLIC, CredentialFilter, SearchRequest
from registry.store import credentials, providers, recognitions, search

REQUEST = SearchRequest(query="data", filter=CredentialFilter(delivery_modes=["ONLINE"], regions=["CA-ON"]), first=20)


async def search_page(request: Request) -> Response:
    db = request.app.state.db
    mode = search.MatchMode.FULL_TEXT  # the page finds something, so no fuzzy retry
    page = await search.page(db, REQUEST, PUBLIC, mode, None)
    facets, total = await search.facets(db, REQUEST, PUBLIC, mode, with_total=True)
    listings = [row for row in page.items]
    ids = [c.id for c in listings]
    owners, skills, occupations, held = await asyncio.gather(
        providers.by_ids(db, list({c.provider_id for c in listings})),
        credentials.skills_of(db, ids),
        credentials.occupations_of(db, ids),
        recognitions.for_credentials(db, ids),
    )
    active = {c: [r for r in held.get(c, []) if r.is_active(date.today())] for c in ids}
    named = {r.authority_id for rs in active.values() for r in rs} | {UUID(v) for v, _ in facets["recognizedBy"]}
    authorities = await recognitions.authorities_by_ids(db, list(named))
    nodes = [
        {
            "id": str(c.id),
            "title": c.title,
            "description": c.description,
            "credentialType": c.credential_type,
            "deliveryMode": c.delivery_mode,
            "pace": c.pace,
            "workloadHours": c.workload_hours,
            "cost": {"amount": c.cost_amount, "currency": c.cost_currency},
            "languages": c.languages,
            "regions": c.regions,
            "audiences": c.audiences,
            "provider": owners[c.provider_id].name,
            "skills": [s.label for s in skills.get(c.id, [])],
            "occupations": [[o.code, o.title] for o in occupations.get(c.id, [])],
            "recognitions": [[r.kind, authorities[r.authority_id].name] for r in active[c.id]],
        }
        for c in listings
    ]
    body = {
        "totalCount": total,
        "nodes": nodes,
        "facets": {name: [{"value": v, "count": n} for v, n in values] for name, values in facets.items()},
        "recognizedBy": [authorities[UUID(v)].name for v, _ in facets["recognizedBy"]],
    }
    return Response(orjson.dumps(body, default=str), media_type="application/json")


def build_from_env() -> Starlette:
    """The floor app on the database in ``FLOOR_DSN``."""

    @asynccontextmanager
    async def lifespan(app: Starlette):
        app.state.db = await connect(os.environ["FLOOR_DSN"], Settings())
        yield
        await app.state.db.close()

    return Starlette(routes=[Route("/search", search_page, methods=["GET", "POST"])], lifespan=lifespan)
