"""The benchmark's floor: the SQL of the search page served as JSON by a bare Starlette
endpoint over asyncpg (bench-only code). The GraphQL stack's cost is reported as a ratio to it.

It makes the same store and service calls the SearchPage operation makes (the page; every
facet with the total and the names of the providers and authorities among the values, from
the process's facet index; the page's providers, skills, occupations, recognitions and their
authorities in one statement), so the ratio measures what Strawberry, the middleware and the
resolvers add.

Run: FLOOR_DSN=... python -m uvicorn bench.floor:build_from_env --factory --port PORT [--workers N]
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from datetime import date

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.config import Settings
from registry.db import connect
from registry.domain.search import PUBLIC, CredentialFilter, SearchRequest
from registry.services import facet_index
from registry.store import listing_bundles, search
from registry.store.listing_bundles import Part, Wanted

RELATIONS = Wanted(frozenset({Part.PROVIDER, Part.SKILLS, Part.OCCUPATIONS, Part.RECOGNITIONS}))
REQUEST = SearchRequest(query="data", filter=CredentialFilter(delivery_modes=["ONLINE"], regions=["CA-ON"]), first=20)


async def search_page(request: Request) -> Response:
    db = request.app.state.db
    mode = search.MatchMode.FULL_TEXT  # the page finds something, so no fuzzy retry
    page = await search.page(db, REQUEST, PUBLIC, mode, None)
    facets, total = await facet_index.summary(request.app.state.facet_index, db, REQUEST, PUBLIC, mode, None)
    listings = [row for row in page.items]
    related = await listing_bundles.bundles(db, [c.id for c in listings], PUBLIC, RELATIONS, listings=False)
    today = date.today()
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
            "provider": bundle.provider.name if bundle.provider else None,
            "skills": [s.label for s in bundle.skills or []],
            "occupations": [[o.code, o.title] for o in bundle.occupations or []],
            "recognitions": [
                [r.kind, authority.name]
                for r in bundle.recognitions or []
                if r.is_active(today)
                for authority in bundle.authorities
                if authority.id == r.authority_id
            ],
        }
        for c in listings
        for bundle in [related[c.id]]
    ]
    body = {
        "totalCount": total,
        "nodes": nodes,
        "facets": {name: [{"value": f.value, "count": f.count} for f in values] for name, values in facets.items()},
        "recognizedBy": [found.name for found in facets["recognizedBy"]],
    }
    return Response(orjson.dumps(body, default=str), media_type="application/json")


def build_from_env() -> Starlette:
    """The floor app on the database in ``FLOOR_DSN``."""

    @asynccontextmanager
    async def lifespan(app: Starlette):
        app.state.db = await connect(os.environ["FLOOR_DSN"], Settings())
        app.state.facet_index = facet_index.LiveFacetIndex(app.state.db)
        await app.state.facet_index.warm()
        yield
        await app.state.db.close()

    return Starlette(routes=[Route("/search", search_page, methods=["GET", "POST"])], lifespan=lifespan)
