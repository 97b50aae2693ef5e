"""Per-request DataLoaders: every nested lookup of a request is batched into one
statement per kind, whatever the page size or nesting."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Awaitable, Callable, Hashable, Mapping, Sequence

from strawberry.dataloader import DataLoader

from registry.db import Executor
from registry.domain.search import Visibility
from registry.store import credentials, providers, recognitions, taxonomy, webhooks

Fetch = Callable[[Sequence[Any]], Awaitable[Mapping[Any, Any]]]
PagedFetch = Callable[[list[Any], int, Any], Awaitable[Mapping[Any, Any]]]  # (owners, first, after)


def _loader(fetch: Fetch) -> DataLoader:
    """A loader over a ``fetch(keys) -> {key: value}``; missing keys load as None."""

    async def load(keys: list[Hashable]) -> list[Any]:
        found = await fetch(keys)
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


def _paged_loader(fetch: PagedFetch) -> DataLoader:
    """A loader of pages keyed by (id, first, after): one statement per window asked for."""

    async def load(keys: list[tuple[Any, int, Any]]) -> list[Any]:
        by_window: dict[tuple[int, Any], list[Any]] = defaultdict(list)
        for owner, first, after in keys:
            by_window[(first, after)].append(owner)
        results: dict[tuple, Any] = {}
        for (first, after), owners in by_window.items():
            pages = await fetch(owners, first, after)
            results.update({(owner, first, after): pages[owner] for owner in owners})
        return [results[key] for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """All loaders of one request, seeing what ``viewer`` may see."""

    def __init__(self, db: Executor, viewer: Visibility) -> None:
        self.credential = _loader(lambda ids: credentials.by_ids(db, ids, viewer))
        self.provider = _loader(lambda ids: providers.by_ids(db, ids))
        self.skill = _loader(lambda ids: taxonomy.skills_by_ids(db, ids))
        self.occupation = _loader(lambda ids: taxonomy.occupations_by_ids(db, ids))
        self.authority = _loader(lambda ids: recognitions.authorities_by_ids(db, ids))
        self.recognition = _loader(lambda ids: recognitions.by_ids(db, ids))
        self.skills_of = _loader(lambda ids: credentials.skills_of(db, ids))
        self.occupations_of = _loader(lambda ids: credentials.occupations_of(db, ids))
        self.links_of = _loader(lambda ids: credentials.links_of(db, ids))
        self.recognitions_of = _loader(lambda ids: recognitions.for_credentials(db, ids))
        self.provider_credentials = _paged_loader(
            lambda ids, first, after: credentials.provider_pages(db, ids, viewer, first, after)
        )
        self.provider_credential_count = _loader(lambda ids: credentials.provider_counts(db, ids, viewer))
        self.deliveries = _paged_loader(lambda ids, first, _after: webhooks.latest_deliveries(db, ids, first))
        self.history = _paged_loader(lambda ids, first, after: credentials.history_pages(db, ids, viewer, first, after))
        self.history_count = _loader(lambda ids: credentials.history_counts(db, ids, viewer))
