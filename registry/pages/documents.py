"""`/credentials/{id}`: one listing as a document, in the vocabulary the client asks for.

`?format=` (ctdl, open-badges-3, elm, schema-org) or `Accept: application/ld+json;
profile="<the standard's context URL>"` choose a JSON-LD vocabulary; a browser
(`Accept: text/html`) gets the listing's page (registry.pages) with the schema.org
description embedded, so search engines index listings. The document comes from the GraphQL
schema itself (registry.pages.operations), so the visibility rules and the mappings are the
API's own.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from registry.http.response_cache import CACHEABLE
from registry.pages.operations import OperationFailed, execute
from registry.pages.routes import credential_page

FORMATS = {
    "ctdl": "CTDL",
    "open-badges-3": "OPEN_BADGES_3",
    "ob3": "OPEN_BADGES_3",
    "elm": "ELM",
    "schema-org": "SCHEMA_ORG",
    "schema.org": "SCHEMA_ORG",
}
PROFILES = {
    "credreg.net": "CTDL",
    "imsglobal.org/spec/ob": "OPEN_BADGES_3",
    "data.europa.eu/snb": "ELM",
    "schema.org": "SCHEMA_ORG",
}
QUERY = """
query Document($id: ID!, $format: JsonLdFormat!) {
  credential(id: $id) { jsonLd(format: $format) }
}
"""


def choose(request: Request) -> tuple[str, bool] | None:
    """(JSON-LD format, whether to answer with an HTML page), or None for an unknown ?format."""
    asked = request.query_params.get("format")
    if asked is not None:
        found = FORMATS.get(asked.lower())
        return (found, False) if found else None
    accept = request.headers.get("accept", "")
    if "application/ld+json" in accept or "application/json" in accept:
        for marker, found in PROFILES.items():
            if marker in accept:
                return found, False
        return "SCHEMA_ORG", False
    return "SCHEMA_ORG", "text/html" in accept


async def credential_document(request: Request) -> Response:
    """GET /credentials/{id}"""
    chosen = choose(request)
    if chosen is None:
        return JSONResponse(
            {"error": "invalid_request", "error_description": "format is one of: " + ", ".join(sorted(FORMATS))},
            status_code=400,
        )
    format_name, as_html = chosen
    if as_html:  # the listing's page for people, in English (/fr/credentials/{id} in French)
        page = await credential_page(request, "en")
        page.headers["vary"] = "Accept"
        return page
    try:
        listing = (await execute(request, QUERY, {"id": request.path_params["id"], "format": format_name}))[
            "credential"
        ]
    except OperationFailed:
        listing = None
    if listing is None:
        return JSONResponse({"error": "not_found", "error_description": "No such credential."}, status_code=404)
    request.scope[CACHEABLE] = True  # public data: the response cache may share it
    return Response(listing["jsonLd"], media_type="application/ld+json", headers={"vary": "Accept"})
