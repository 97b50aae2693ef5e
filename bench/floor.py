"""The benchmark's floor: the SQL of a search page served as JSON by a bare Starlette
endpoint over asyncpg (bench-only code). The GraphQL stack's cost is reported as a ratio to it.

Each route makes the same store and service calls the SearchPage operation makes for one of
the benchmark's searches (the page; the page's facets with the total and the names of the
providers and authorities among the values, from the process's facet index; the page's
providers, skills, occupations, recognitions and their authorities, and offerings, in one
statement), so the ratio measures what Strawberry, the middleware and the resolvers add:
``/search`` the text search, ``/near`` the near and starting soon search.

Run: FLOOR_DSN=... python -m uvicorn bench.floor:build_from_env --factory --port PORT [--workers N]
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from datetime import date, timedelta

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.config import Settings
from registry.db import connect
from registry.domain.offerings import distance_km
from registry.domain.search import PUBLIC, CredentialFilter, CredentialOrder, Near, SearchRequest
from registry.interop.gazetteer import resolve
from registry.services import facet_index
from registry.store import listing_bundles, search
from registry.store.listing_bundles import Part, Wanted

# What SearchPage reads of each listing.
RELATIONS = Wanted(frozenset({Part.PROVIDER, Part.SKILLS, Part.OCCUPATIONS, Part.RECOGNITIONS, Part.OFFERINGS}))
TEXT = SearchRequest(query="data", filter=CredentialFilter(delivery_modes=["ONLINE"], regions=["CA-ON"]), first=20)
# The facets SearchPage asks for (not the offerings' own: the page does not show them).
PAGE_FACETS = (
    "deliveryMode",
    "region",
    "language",
    "credentialType",
    "pace",
    "audience",
    "provider",
    "recognitionKind",
    "recognizedBy",
    "cost",
    "workload",
)


def near_request() -> SearchRequest:
    """Near Toronto, starting in the next 90 days (today's), nearest first."""
    today, toronto = date.today(), resolve("Toronto, ON")  # as the API resolves the benchmark's place
    assert toronto is not None
    near = Near(toronto.latitude, toronto.longitude, 50)
    return SearchRequest(
        filter=CredentialFilter(near=near, starts_from=today, starts_to=today + timedelta(days=90)),
        order=CredentialOrder.NEAREST,
        first=20,
    )


async def search_page(request: Request) -> Response:
    return await _page(request, TEXT, search.MatchMode.FULL_TEXT)  # it finds something


async def near_page(request: Request) -> Response:
    return await _page(request, near_request(), search.MatchMode.ALL)


async def _page(request: Request, req: SearchRequest, mode: search.MatchMode) -> Response:
    db = request.app.state.db
    page = await search.page(db, req, PUBLIC, mode, None)
    facets, total = await facet_index.summary(request.app.state.facet_index, db, req, PUBLIC, mode, PAGE_FACETS)
    listings = [row for row in page.items]
    related = await listing_bundles.bundles(db, [c.id for c in listings], PUBLIC, RELATIONS, listings=False)
    today = date.today()
    near = req.filter.near
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
            "offerings": [
                {
                    "distanceKm": distance_km(near.latitude, near.longitude, o.place) if near else None,
                    "place": {"municipality": o.place.municipality, "region": o.place.region} if o.place else None,
                }
                for o in bundle.offerings or []
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

    return Starlette(
        routes=[
            Route("/search", search_page, methods=["GET", "POST"]),
            Route("/near", near_page, methods=["GET", "POST"]),
        ],
        lifespan=lifespan,
    )
