"""Per-request DataLoaders: every nested lookup of a request is batched into one
statement per kind, whatever the page size or nesting."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Awaitable, Callable, Hashable, Mapping, Sequence, TypeVar
from uuid import UUID

from strawberry.dataloader import DataLoader

from registry.db import Executor
from registry.domain.search import Visibility
from registry.store import (
    credentials,
    harvest_sources,
    listing_sources,
    occupations,
    offerings,
    pathways,
    providers,
    recognitions,
    taxonomy,
    webhooks,
)
from registry.store.listing_bundles import Bundle

T = TypeVar("T")

Fetch = Callable[[Sequence[Any]], Awaitable[Mapping[Any, Any]]]
PagedFetch = Callable[[list[Any], int, Any], Awaitable[Mapping[Any, Any]]]  # (owners, first, after)


def now_or_later(loader: DataLoader, key: Hashable, then: Callable[[Any], T]) -> Any:
    """``then`` of what ``loader`` holds for ``key``: at once when it holds it already (primed
    by a listing bundle, or loaded earlier in the request), otherwise an awaitable of it.

    A resolver returning a plain value is completed by graphql-core on the spot; an awaitable
    costs it a coroutine and a gather per field and per object, which was half the time of a
    search page of listings with their providers (issue 16). Resolvers that return this are
    declared synchronous, and graphql-core awaits what needs awaiting."""
    future = loader.cache_map.get(key)
    if future is not None and future.done() and not future.cancelled() and future.exception() is None:
        return then(future.result())
    return _then(loader.load(key), then)


async def _then(pending: Awaitable[Any], then: Callable[[Any], T]) -> T:
    return then(await pending)


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


async def _nothing() -> dict:
    return {}


class Loaders:
    """All loaders of one request, seeing what ``viewer`` may see."""

    def __init__(self, db: Executor, viewer: Visibility) -> None:
        self.credential = _loader(lambda ids: credentials.by_ids(db, ids, viewer))
        self.provider = _loader(lambda ids: providers.by_ids(db, ids))
        self.skill = _loader(lambda ids: taxonomy.skills_by_ids(db, ids))
        self.occupation = _loader(lambda ids: taxonomy.occupations_by_ids(db, ids))
        self.occupation_details = _loader(lambda ids: occupations.details_by_ids(db, ids))
        self.authority = _loader(lambda ids: recognitions.authorities_by_ids(db, ids))
        self.recognition = _loader(lambda ids: recognitions.by_ids(db, ids))
        self.skills_of = _loader(lambda ids: credentials.skills_of(db, ids))
        self.occupations_of = _loader(lambda ids: credentials.occupations_of(db, ids))
        self.links_of = _loader(lambda ids: credentials.links_of(db, ids))
        self.backlinks_of = _loader(lambda ids: pathways.backlinks_of(db, ids, viewer))
        self.pathway_of = _loader(lambda ids: pathways.pathways_of(db, ids, viewer))
        self.partners_of = _loader(lambda ids: providers.partners_of(db, ids))
        self.recognitions_of = _loader(lambda ids: recognitions.for_credentials(db, ids))
        self.provider_credentials = _paged_loader(
            lambda ids, first, after: credentials.provider_pages(db, ids, viewer, first, after)
        )
        self.provider_credential_count = _loader(lambda ids: credentials.provider_counts(db, ids, viewer))
        self.delivered_credentials = _paged_loader(
            lambda ids, first, after: credentials.delivered_pages(db, ids, viewer, first, after)
        )
        self.delivered_credential_count = _loader(lambda ids: credentials.delivered_counts(db, ids, viewer))
        self.deliveries = _paged_loader(lambda ids, first, _after: webhooks.latest_deliveries(db, ids, first))
        self.history = _paged_loader(lambda ids, first, after: credentials.history_pages(db, ids, viewer, first, after))
        self.history_count = _loader(lambda ids: credentials.history_counts(db, ids, viewer))
        self.harvest_source = _loader(lambda ids: harvest_sources.by_ids(db, ids) if viewer.admin else _nothing())
        self.last_harvest_run = _loader(lambda ids: harvest_sources.last_runs(db, ids))
        self.listing_source = _loader(lambda ids: listing_sources.of_listings(db, ids))
        self.offering = _loader(lambda ids: offerings.by_ids(db, ids))
        self.offerings_of = _loader(lambda ids: offerings.of_listings(db, ids))

    def prime(self, asked: Sequence[UUID], found: Mapping[UUID, Bundle], *, listings: bool) -> None:
        """Answer in advance the loads a bundle statement has already answered: with
        ``listings``, the listings asked for (None for those the viewer may not see); and what
        each bundle carries."""
        if listings:
            self.credential.prime_many({listing_id: _listing(found.get(listing_id)) for listing_id in asked})
        for listing_id, bundle in found.items():
            if bundle.provider is not None:
                self.provider.prime(bundle.provider.id, bundle.provider)
            if bundle.skills is not None:
                self.skills_of.prime(listing_id, bundle.skills)
            if bundle.occupations is not None:
                self.occupations_of.prime(listing_id, bundle.occupations)
            if bundle.partners is not None:
                self.partners_of.prime(listing_id, bundle.partners)
                self.provider.prime_many({partner.id: partner for partner in bundle.partners})
            if bundle.links is not None:
                self.links_of.prime(listing_id, bundle.links)
                self.credential.prime_many({link.to_id: bundle.link_targets.get(link.to_id) for link in bundle.links})
            if bundle.backlinks is not None:
                self.backlinks_of.prime(listing_id, bundle.backlinks)
            if bundle.pathway is not None:
                self.pathway_of.prime(listing_id, bundle.pathway)
            if bundle.recognitions is not None:
                self.recognitions_of.prime(listing_id, bundle.recognitions)
                self.authority.prime_many({authority.id: authority for authority in bundle.authorities})
            if bundle.offerings is not None:
                self.offerings_of.prime(listing_id, bundle.offerings)
            for size, page in bundle.history.items():
                self.history.prime((listing_id, size, None), page)
            if bundle.history_count is not None:
                self.history_count.prime(listing_id, bundle.history_count)


def _listing(bundle: Bundle | None) -> Any:
    return bundle.listing if bundle else None
