"""The benchmark's floor: the search page's SQL served as JSON by a bare Starlette endpoint
over asyncpg (bench-only code). The GraphQL stack's cost is reported as a ratio to it.

Run: python bench/floor.py DSN PORT
"""

from __future__ import annotations

import json
import sys
from contextlib import asynccontextmanager

import asyncpg
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# What SearchPage asks of the database for `query: "data", filter: {deliveryModes: [ONLINE], regions: [CA-ON]}`:
# the page, with provider names, in one statement (the floor does no DataLoader round trips).
SQL = """
select c.id, c.title, c.description, c.credential_type::text, c.delivery_mode::text, c.pace::text, c.workload_hours,
       c.cost_amount::float8, c.cost_currency, c.languages, c.regions, c.audiences::text[], p.name as provider
  from credentials c join providers p on p.id = c.provider_id,
       (select websearch_to_tsquery('english', f_unaccent($1)) || websearch_to_tsquery('french', f_unaccent($1)) as q) q
 where c.status = 'PUBLISHED' and c.search_doc @@ q.q and c.delivery_mode::text = any($2) and c.regions && $3
 order by ts_rank(c.search_doc, q.q) desc, c.id limit 20
"""


def build(dsn: str) -> Starlette:
    async def search(request: Request) -> Response:
        rows = await request.app.state.pool.fetch(SQL, "data", ["ONLINE"], ["CA-ON"])
        return Response(json.dumps([dict(r) for r in rows], default=str), media_type="application/json")

    @asynccontextmanager
    async def lifespan(app: Starlette):
        app.state.pool = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
        yield
        await app.state.pool.close()

    return Starlette(routes=[Route("/search", search, methods=["GET", "POST"])], lifespan=lifespan)


if __name__ == "__main__":
    uvicorn.run(build(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
