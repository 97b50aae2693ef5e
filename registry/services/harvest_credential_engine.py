"""Credential Engine's registry as a harvest source (CREDENTIAL_ENGINE): the learning resources
one organisation owns there, for the provider here that publishes as it.

They are found with the registry's CTDL query endpoint (`POST {community}/ctdl?skip=&take=`,
CredentialEngine/CredentialRegistry app/api/v1/ctdl.rb), which answers `{"data": [resources],
"total": n}` and, asked for results metadata, each resource's `search:recordUpdated`
(app/services/run_ctdl_query.rb). One request says whether anything changed: the count of
the organisation's resources and the newest update among them, kept as the source's
validator. When they differ, every resource is read, and the whole is written like the
provider's own CTDL file (registry.services.harvest_files): a complete snapshot, so a
resource gone from the registry is retired after two runs without it.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson

from registry.config import Settings
from registry.domain.harvesting import HarvestSource, Limits
from registry.interop.ctdl_types import SUPPORTED
from registry.services.harvest_fetch import Deadline, Fetched, SourceFailed, ask_json

PAGE = 100  # resources asked for at once (the endpoint's `take`)
NEWEST_FIRST = "^search:recordUpdated"  # the endpoint's `order_by` (its default, named so as not to depend on it)


async def fetch(
    source: HarvestSource, settings: Settings, http: httpx.AsyncClient, limits: Limits, deadline: Deadline
) -> Fetched:
    """The organisation's resources as one CTDL document (a list), or None content when the
    registry says nothing changed since the last run."""
    assert source.organization_ctid is not None, "a CREDENTIAL_ENGINE source names its organisation"
    query = {"@type": sorted(SUPPORTED), "ceterms:ownedBy": {"ceterms:ctid": source.organization_ctid}}
    newest = await _ask(source, settings, http, limits, query, skip=0, take=1, metadata=True)
    total = _total(newest)
    validator = f"{total}@{_newest_update(newest)}"
    if validator == source.etag:
        return Fetched(None, validator)
    if total > limits.max_objects:
        raise SourceFailed(f"The organisation owns more than {limits.max_objects} resources.")
    resources: dict[str, Any] = {}  # by CTID: a resource updated while paging may come twice
    for skip in range(0, total, PAGE):
        deadline.check()
        page = await _ask(source, settings, http, limits, query, skip=skip, take=PAGE, metadata=False)
        for resource in _data(page):
            key = resource.get("ceterms:ctid") if isinstance(resource, dict) else None
            resources[key if isinstance(key, str) else f"#{len(resources)}"] = resource
    content = orjson.dumps(list(resources.values()))
    return Fetched(content, validator, None, hashlib.sha256(content).hexdigest())


async def _ask(
    source: HarvestSource,
    settings: Settings,
    http: httpx.AsyncClient,
    limits: Limits,
    query: dict[str, Any],
    *,
    skip: int,
    take: int,
    metadata: bool,
) -> dict[str, Any]:
    options = urlencode(
        {"skip": skip, "take": take, "order_by": NEWEST_FIRST, "include_results_metadata": str(metadata).lower()}
    )
    url = f"{source.url.rstrip('/')}/ctdl?{options}"
    key = settings.credential_engine_api_key
    answer = await ask_json(url, settings, http, limits, query, {"authorization": f"Bearer {key}"} if key else None)
    if not isinstance(answer, dict):
        raise SourceFailed("The registry's answer is not a CTDL query result.")
    if "error" in answer:
        raise SourceFailed(f"The registry answered an error: {str(answer['error'])[:300]}")
    return answer


def _total(answer: dict[str, Any]) -> int:
    total = answer.get("total")
    if not isinstance(total, int) or total < 0:
        raise SourceFailed("The registry's answer has no count of results (`total`).")
    return total


def _data(answer: dict[str, Any]) -> list[Any]:
    data = answer.get("data")
    if not isinstance(data, list):
        raise SourceFailed("The registry's answer has no list of resources (`data`).")
    return data


def _newest_update(answer: dict[str, Any]) -> str:
    """The newest `search:recordUpdated` of the answer's results metadata ('' when none)."""
    metadata = answer.get("results_metadata") or []
    stamps = [str(m.get("search:recordUpdated", "")) for m in metadata if isinstance(m, dict)]
    return max(stamps, default="")
