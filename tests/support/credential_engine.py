"""A local server that answers like Credential Engine's registry: its CTDL query endpoint
(`POST /{community}/ctdl?skip=&take=&include_results_metadata=`, CredentialEngine/
CredentialRegistry app/api/v1/ctdl.rb and app/services/run_ctdl_query.rb), serving Credential
Engine's own published example resources (tests/interop/fixtures/credential_engine).

It understands the one query shape a harvester sends: resources of some `@type`s owned by
an organisation (`"ceterms:ownedBy": {"ceterms:ctid": ...}`), newest update first. An API key,
when set, must come as a bearer token (else 401 with `{"error": ...}`).
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qs, urlsplit

from tests.support.loopback import serving

EXAMPLES = Path(__file__).resolve().parents[1] / "interop" / "fixtures" / "credential_engine"
COMMUNITY = "ce-registry"


def example(name: str) -> dict[str, Any]:
    """One of Credential Engine's example resources, by file name."""
    return json.loads((EXAMPLES / name).read_text())


@dataclass
class Registry:
    """What the server holds: organisations (@id -> CTID), resources by CTID with the time each
    was last updated, the API key it asks for, and the queries it answered."""

    base: str = ""
    organizations: dict[str, str] = field(default_factory=dict)
    resources: dict[str, tuple[dict[str, Any], datetime]] = field(default_factory=dict)
    api_key: str | None = None
    queries: list[dict[str, Any]] = field(default_factory=list)
    clock: datetime = field(default_factory=lambda: datetime(2026, 11, 1, tzinfo=timezone.utc))

    @property
    def url(self) -> str:
        """The community's address, as a source names it."""
        return f"{self.base}/{COMMUNITY}"

    def publish(self, resource: dict[str, Any]) -> None:
        """Publish (or update) a resource; its record is updated now."""
        self.clock += timedelta(minutes=1)
        self.resources[resource["ceterms:ctid"]] = (resource, self.clock)

    def delete(self, ctid: str) -> None:
        del self.resources[ctid]

    def answer(self, query: dict[str, Any], skip: int, take: int, metadata: bool) -> dict[str, Any]:
        types = set(query.get("@type") or [])
        owner = (query.get("ceterms:ownedBy") or {}).get("ceterms:ctid")
        found = sorted(
            (
                (resource, updated)
                for resource, updated in self.resources.values()
                if resource.get("@type") in types
                and owner in {self.organizations.get(o) for o in resource.get("ceterms:ownedBy", [])}
            ),
            key=lambda pair: pair[1],
            reverse=True,
        )
        page = found[skip : skip + take]
        result: dict[str, Any] = {"data": [resource for resource, _ in page], "total": len(found)}
        if metadata:
            result["results_metadata"] = [
                {"resource_uri": r["@id"], "search:recordUpdated": updated.isoformat()} for r, updated in page
            ]
        return result


@contextmanager
def credential_engine() -> Iterator[Registry]:
    """The server, holding Example University and the resources it owns in the examples."""
    registry = Registry()
    university = example("Organization-1.json")
    registry.organizations[university["@id"]] = university["ceterms:ctid"]
    for name in ("Credential-1.json", "LearningProgram-1.json", "LearningProgram-2.json", "Course-1a.json"):
        registry.publish(example(name))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the standard library's name
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            if parts.path != f"/{COMMUNITY}/ctdl":
                return self._json(404, {"error": "Not found"})
            if registry.api_key and self.headers.get("authorization") != f"Bearer {registry.api_key}":
                return self._json(401, {"error": "401 Unauthorized"})
            params = {k: v[0] for k, v in parse_qs(parts.query).items()}
            query = json.loads(body)
            registry.queries.append({"query": query, **params})
            metadata = params.get("include_results_metadata") == "true"
            self._json(200, registry.answer(query, int(params.get("skip", 0)), int(params.get("take", 10)), metadata))

        def _json(self, status: int, document: dict[str, Any]) -> None:
            payload = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args) -> None:
            pass

    with serving(Handler) as base:
        registry.base = base
        yield registry
