"""Fetching from a harvest source: only from an address the registry may call (pinned, like
webhooks), never redirected, within a run's limits of size and time.

A file is fetched conditionally (ETag and Last-Modified, then its content's hash): an
unchanged source costs one request. A feed is asked with GraphQL over POST.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from registry.config import Settings
from registry.domain.harvesting import HarvestSource, Limits
from registry.services import outbound

USER_AGENT = "microcred-harvester/1"


# A source that answers 429 is asked again after its Retry-After (at most this long), a few times.
MAX_RETRY_AFTER_SECONDS = 30.0
RETRIES_WHEN_LIMITED = 4


class SourceFailed(Exception):
    """The source could not be read: unreachable, an error status, too big, too slow, malformed."""


class RateLimited(SourceFailed):
    """The source answered 429: it would answer later."""

    def __init__(self, retry_after: float) -> None:
        super().__init__("The source answered HTTP 429 (too many requests) each time it was asked.")
        self.retry_after = retry_after


class Deadline:
    """When a run must stop: ``limits.max_run_seconds`` after it began (well within the lease
    that holds its source, so that no other run starts on it meanwhile)."""

    def __init__(self, limits: Limits) -> None:
        self._ends, self._seconds = time.monotonic() + limits.max_run_seconds, limits.max_run_seconds

    def passed(self) -> bool:
        return time.monotonic() > self._ends

    def check(self) -> None:
        """SourceFailed once the run has taken longer than it may."""
        if self.passed():
            raise SourceFailed(f"The run took longer than {self._seconds:g} s; the next run goes on from here.")


@dataclass
class Fetched:
    """What a file source answered: its content (None when not modified) and validators."""

    content: bytes | None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None


async def fetch_file(source: HarvestSource, settings: Settings, http: httpx.AsyncClient, limits: Limits) -> Fetched:
    """The source's content, or None content when it has not changed since the last run."""
    headers = {"accept": "*/*"}
    if source.etag:
        headers["if-none-match"] = source.etag
    if source.last_modified:
        headers["if-modified-since"] = source.last_modified
    status, answered, body = await _request(source.url, settings, http, limits, headers=headers)
    if status == 304:
        return Fetched(None)
    content_hash = hashlib.sha256(body).hexdigest()
    etag, last_modified = answered.get("etag"), answered.get("last-modified")
    if content_hash == source.content_hash:  # a source without validators, unchanged
        return Fetched(None, etag, last_modified)
    return Fetched(body, etag, last_modified, content_hash)


async def ask_json(
    url: str,
    settings: Settings,
    http: httpx.AsyncClient,
    limits: Limits,
    body: Any,
    headers: dict[str, str] | None = None,
) -> Any:
    """The JSON a source answers to ``body`` POSTed as JSON; a 429 is asked again after its
    Retry-After, a few times."""
    content = orjson.dumps(body)
    sent = {"accept": "application/json", "content-type": "application/json", **(headers or {})}
    for attempt in range(RETRIES_WHEN_LIMITED + 1):
        try:
            _, _, answer = await _request(url, settings, http, limits, headers=sent, method="POST", content=content)
            break
        except RateLimited as limited:
            if attempt == RETRIES_WHEN_LIMITED:
                raise
            await asyncio.sleep(limited.retry_after)
    try:
        return orjson.loads(answer)
    except orjson.JSONDecodeError as error:
        raise SourceFailed("The source did not answer JSON.") from error


async def ask_graphql(
    url: str, settings: Settings, http: httpx.AsyncClient, limits: Limits, query: str, variables: dict[str, Any]
) -> Any:
    """The `data` of a GraphQL answer; SourceFailed when the source answers errors instead."""
    document = await ask_json(url, settings, http, limits, {"query": query, "variables": variables})
    if not isinstance(document, dict):
        raise SourceFailed("The source's answer is not a GraphQL response.")
    if document.get("errors"):
        first = document["errors"][0]
        message = first.get("message") if isinstance(first, dict) else None
        raise SourceFailed(f"The source answered an error: {str(message)[:300]}")
    return document.get("data")


async def _request(
    url: str,
    settings: Settings,
    http: httpx.AsyncClient,
    limits: Limits,
    *,
    headers: dict[str, str],
    method: str = "GET",
    content: bytes | None = None,
) -> tuple[int, httpx.Headers, bytes]:
    """(status, headers, body) of a 200 or 304 answer; SourceFailed for anything else."""
    try:
        async with asyncio.timeout(limits.max_seconds):
            target = await outbound.pinned(url, settings)
            async with http.stream(  # never redirected: a redirect could lead past the address rules
                method,
                target.url,
                headers={"user-agent": USER_AGENT, **headers, **target.headers},
                extensions=target.extensions,
                content=content,
                follow_redirects=False,
            ) as response:
                if response.status_code == 304:
                    return 304, response.headers, b""
                if response.status_code == 429:
                    raise RateLimited(_retry_after(response.headers.get("retry-after")))
                if response.status_code != 200:
                    raise SourceFailed(f"The source answered HTTP {response.status_code}.")
                return 200, response.headers, await _read_within(response, limits.max_bytes)
    except TimeoutError as error:
        raise SourceFailed(f"The source took longer than {limits.max_seconds:g} s.") from error
    except outbound.Blocked as blocked:
        raise SourceFailed(str(blocked)) from blocked
    except (httpx.HTTPError, OSError) as error:
        raise SourceFailed(f"The source could not be reached: {type(error).__name__}.") from error


def _retry_after(header: str | None) -> float:
    """Seconds to wait as a Retry-After header asks (in seconds; a date counts as the longest
    wait), within MAX_RETRY_AFTER_SECONDS."""
    try:
        seconds = float(header) if header else 1.0
    except ValueError:
        seconds = MAX_RETRY_AFTER_SECONDS
    if not math.isfinite(seconds):
        seconds = MAX_RETRY_AFTER_SECONDS
    return min(max(seconds, 0.1), MAX_RETRY_AFTER_SECONDS)


async def _read_within(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise SourceFailed(f"The source is larger than {max_bytes} bytes.")
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise SourceFailed(f"The source is larger than {max_bytes} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)
