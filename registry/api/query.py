"""The resolvers of every read of the contract (the Query type is assembled in registry.api.schema)."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime
from typing import Annotated, Any, Optional, Protocol
from uuid import UUID

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from registry.api import cursors, prefetch
from registry.api.enums import CredentialOrder
from registry.api.errors import BadUserInput, NotFound
from registry.api.harvest import HarvestSource
from registry.api.inputs import CredentialFilter
from registry.api.lookups import check_lookups
from registry.api.offerings import Offering
from registry.api.scalars import LanguageTag
from registry.api.types import (
    AfterArg,
    Connection,
    Credential,
    CredentialFacets,
    CredentialSearchResult,
    FacetValue,
    FirstArg,
    Node,
    Occupation,
    Provider,
    Recognition,
    RecognitionAuthority,
    Skill,
    Viewer,
    connection_parts,
    page_size,
    paged,
)
from registry.domain import ids
from registry.domain import occupations as occupation_rules
from registry.domain.enums import CredentialOrder as Order
from registry.domain.search import FacetCount, SearchRequest, check_order
from registry.domain.vocabularies import OCCUPATION_SCHEME
from registry.services import facet_index
from registry.store import credentials, recognitions, search, taxonomy
from registry.store import occupations as occupation_store
from registry.store import providers as provider_store

IdArg = Annotated[strawberry.ID, strawberry.argument(description="A global ID.")]
QueryArg = Annotated[
    Optional[str],
    strawberry.argument(
        description="Words to look for in the label or title (any language, accents ignored), or an exact code."
    ),
]
OccupationQueryArg = Annotated[
    Optional[str],
    strawberry.argument(
        description="Words of the occupation's title or of a job title people use for it, any language,"
        " accents and case ignored, each the start of a word (`soudeur`, `préposé aux bénéficiaires`,"
        " `software dev`), or the start of a code (`72106`, `721`). Best matches first; when no occupation"
        " has every word, those with most of them; when none has any, near spellings (`soudeir`). At most"
        " 200 characters and 12 words. Without it (or with only spaces and punctuation): every occupation,"
        " by code."
    ),
]


class _NodeType(Protocol):
    """A GraphQL type that shows the records its loader fetches."""

    def from_record(self, record: Any, /) -> Node: ...


# Global ID type -> (the loader that fetches it, the GraphQL type that shows it).
_NODES: dict[str, tuple[str, _NodeType]] = {
    "Credential": ("credential", Credential),
    "Provider": ("provider", Provider),
    "Skill": ("skill", Skill),
    "Occupation": ("occupation", Occupation),
    "RecognitionAuthority": ("authority", RecognitionAuthority),
    "Recognition": ("recognition", Recognition),
    "HarvestSource": ("harvest_source", HarvestSource),  # operators only: the loader finds none for others
    "Offering": ("offering", Offering),
}


SEARCH_COST = 50  # on top of its objects: see search_credentials


async def load_node(info: strawberry.Info, global_id: str) -> Node | None:
    """The object behind a global ID, if it exists and the caller may see it."""
    found = ids.decode(global_id)
    if found is None:
        return None
    type_name, uuid = found
    loader_name, node_type = _NODES[type_name]
    loaders = info.context.loaders
    record = await getattr(loaders, loader_name).load(uuid)
    if record is None:
        return None
    # A recognition or an offering is only as visible as its listing.
    if type_name in ("Recognition", "Offering") and await loaders.credential.load(record.credential_id) is None:
        return None
    return node_type.from_record(record)


def _facets(counts: dict[str, list[FacetCount]]) -> CredentialFacets:
    def values(name: str) -> list[FacetValue]:
        return [FacetValue(value=found.value, count=found.count) for found in counts[name]]

    def named(name: str, type_name: str) -> list[FacetValue]:
        return [
            FacetValue(value=ids.encode(type_name, UUID(found.value)), count=found.count, name=found.name)
            for found in counts[name]
        ]

    return CredentialFacets(
        delivery_mode=values("deliveryMode"),
        region=values("region"),
        language=values("language"),
        credential_type=values("credentialType"),
        pace=values("pace"),
        audience=values("audience"),
        provider=named("provider", "Provider"),
        recognition_kind=values("recognitionKind"),
        recognized_by=named("recognizedBy", "RecognitionAuthority"),
        cost=values("cost"),
        workload=values("workload"),
        start_window=values("startWindow"),
        schedule_timing=values("scheduleTiming"),
        currency=values("currency"),
    )


async def _page(db, request: SearchRequest, viewer, key, mode: search.MatchMode | None):
    """(match mode, first page): full text unless it finds nothing, then fuzzy titles. The
    page itself tells whether the full text found anything (one statement fewer), except for
    an empty page size, which has to ask."""
    if mode is not None:
        return mode, await search.page(db, request, viewer, mode, key)
    if request.text is None:
        return search.MatchMode.ALL, await search.page(db, request, viewer, search.MatchMode.ALL, key)
    if request.first == 0:
        mode = await search.match_mode(db, request, viewer)
        return mode, await search.page(db, request, viewer, mode, key)
    page = await search.page(db, request, viewer, search.MatchMode.FULL_TEXT, key)
    if page.items:
        return search.MatchMode.FULL_TEXT, page
    return search.MatchMode.FUZZY, await search.page(db, request, viewer, search.MatchMode.FUZZY, key)


def _facet_selection(info: strawberry.Info) -> tuple[list[str] | None, bool]:
    """(the facets the query selects, None meaning all; whether it selects facets at all).
    Selections through fragments are not unpicked: then every facet counts."""
    selections = _fields(info.selected_fields[0].selections)
    if selections is None:
        return None, True
    facets = next((field for field in selections if field.name == "facets"), None)
    if facets is None:
        return None, False
    chosen = _fields(facets.selections)
    return (None if chosen is None else [field.name for field in chosen]), True


def _fields(selections: list[Selection]) -> list[SelectedField] | None:
    """The fields selected, or None when a fragment is among them."""
    fields = [selection for selection in selections if isinstance(selection, SelectedField)]
    return fields if len(fields) == len(selections) else None


class _Summary:
    """One statement's (facet counts, total), run once for whichever field asks first."""

    def __init__(self, run) -> None:
        self.run, self.task = run, None

    def get(self):
        if self.task is None:
            self.task = asyncio.ensure_future(self.run())
        return self.task


async def node(info: strawberry.Info, id: IdArg) -> Optional[Node]:
    await _prefetch_listings(info, [id])
    return await load_node(info, id)


async def nodes(
    info: strawberry.Info, ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global IDs.")]
) -> list[Optional[Node]]:
    check_lookups(len(ids), "ids")
    await _prefetch_listings(info, ids)
    return list(await asyncio.gather(*(load_node(info, global_id) for global_id in ids)))


async def _prefetch_listings(info: strawberry.Info, global_ids: list[strawberry.ID]) -> None:
    """Bring the listings among ``global_ids`` with what the selection reads of them (one statement)."""
    listing_ids = [uuid for global_id in global_ids if (uuid := ids.decode_as(global_id, "Credential"))]
    if listing_ids:
        await prefetch.listings(info, listing_ids, info.selected_fields[0].selections)


async def credential(info: strawberry.Info, id: IdArg) -> Optional[Credential]:
    uuid = ids.decode_as(id, "Credential")
    record = (await prefetch.listings(info, [uuid], info.selected_fields[0].selections)).get(uuid) if uuid else None
    if record is None:
        raise NotFound(f"No credential has the ID {id!r}.", field="id")
    return Credential.from_record(record)


async def credential_by_external_id(
    info: strawberry.Info,
    provider_id: Annotated[strawberry.ID, strawberry.argument(description="The provider's global ID.")],
    external_id: Annotated[str, strawberry.argument(description="The provider's key for the listing.")],
) -> Optional[Credential]:
    uuid = ids.decode_as(provider_id, "Provider")
    if uuid is None:
        return None
    record = await credentials.by_external_id(info.context.db, uuid, external_id, info.context.viewer)
    return Credential.from_record(record) if record else None


async def search_credentials(
    info: strawberry.Info,
    query: Annotated[Optional[str], strawberry.argument(description="Words to search for.")] = None,
    filter: Annotated[
        Optional[CredentialFilter], strawberry.argument(description="Conditions listings must meet.")
    ] = None,
    order_by: Annotated[
        Optional[CredentialOrder], strawberry.argument(description="The order of the result; null means RELEVANCE.")
    ] = Order.RELEVANCE,
    lang: Annotated[
        Optional[LanguageTag],
        strawberry.argument(
            description="Language for TITLE ordering and for text fields asked for without their own `lang`."
        ),
    ] = None,
    first: FirstArg = 20,
    after: Annotated[
        Optional[str],
        strawberry.argument(
            description="Return the listings after this cursor (an `endCursor` or edge `cursor`) of a search in the"
            " same order with the same words (or none), and in the same language (TITLE), from the same point"
            " (NEAREST) or on the same day (SOONEST_START); filters may change."
        ),
    ] = None,
) -> CredentialSearchResult:
    first = page_size(first)
    if query is not None and len(query) > 500:
        raise BadUserInput("`query` may be at most 500 characters long.", field="query")
    request = SearchRequest(
        query=query,
        filter=(filter or CredentialFilter()).to_domain(info.context.settings.stale_after_days),
        order=Order(order_by.value) if order_by else Order.RELEVANCE,
        lang=lang,
        first=first,
    )
    if problems := check_order(request.order, request.filter):
        raise BadUserInput.from_problems(problems)
    order = request.effective_order
    key, extra = cursors.decode(after, "search", str if order == Order.TITLE else float)
    db, viewer = info.context.db, info.context.viewer
    if key is not None and (extra.get("o") != order.value or extra.get("m") not in set(search.MatchMode)):
        raise BadUserInput("`after` is a cursor of a search in another order.", field="after")
    basis = _basis(request, info.context.now)
    if key is not None and extra.get("b") != basis:
        # Its key is a score for other words, a title in another language, a distance from another
        # point or a start on another day, or its list was matched by other words: it would cut
        # this search's list anywhere.
        raise BadUserInput(
            "`after` is a cursor of a search with other words, language, point or day: start from the first page.",
            field="after",
        )
    mode, page = await _page(db, request, viewer, key, search.MatchMode(extra["m"]) if key else None)
    await prefetch.relations(
        info, [r.id for r in page.items], prefetch.node_selections(info.selected_fields[0].selections)
    )
    edges, page_info = connection_parts(
        "search",
        page,
        lambda r: Credential.from_record(r, lang, request.filter.near),  # its offerings say how far they are
        after is not None,
        o=order.value,
        m=mode.value,
        **({"b": basis} if basis else {}),
    )
    facet_names, wants_facets = _facet_selection(info)
    summary = _Summary(
        lambda: facet_index.summary(
            info.context.facet_index, db, request, viewer, mode, facet_names if wants_facets else []
        )
    )

    async def total() -> int:
        return (await summary.get())[1]

    async def facet_counts() -> CredentialFacets:
        return _facets((await summary.get())[0])

    return CredentialSearchResult(edges=edges, page_info=page_info, count=total, facet_counts=facet_counts)


def _basis(request: SearchRequest, now: datetime) -> str | None:
    """The search's sort basis (``SearchRequest.sort_basis``) as its cursors hold it: a short digest."""
    basis = request.sort_basis(now)
    return hashlib.sha256(basis.encode()).hexdigest()[:16] if basis is not None else None


async def provider(
    info: strawberry.Info,
    id: Annotated[Optional[strawberry.ID], strawberry.argument(description="The provider's global ID.")] = None,
    slug: Annotated[Optional[str], strawberry.argument(description="The provider's slug.")] = None,
) -> Optional[Provider]:
    if (id is None) == (slug is None):
        raise BadUserInput("Give exactly one of `id` and `slug`.", field="id")
    if slug is not None:
        record = await provider_store.by_slug(info.context.db, slug)
    else:
        uuid = ids.decode_as(id, "Provider") if id is not None else None
        record = await info.context.loaders.provider.load(uuid) if uuid else None
    return Provider.from_record(record) if record else None


async def providers(
    info: strawberry.Info,
    jurisdiction: Annotated[
        Optional[str],
        strawberry.argument(description="ISO 3166-2 code such as `CA-QC`, or a country code such as `CA`."),
    ] = None,
    first: FirstArg = 20,
    after: AfterArg = None,
) -> Connection[Provider]:
    db = info.context.db
    return await paged(
        "providers",
        str,
        first,
        after,
        fetch=lambda size, key: provider_store.page(db, jurisdiction=jurisdiction, first=size, after=key),
        count=lambda: provider_store.count(db, jurisdiction=jurisdiction),
        to_node=Provider.from_record,
    )


async def recognition_authorities(
    info: strawberry.Info, first: FirstArg = 20, after: AfterArg = None
) -> Connection[RecognitionAuthority]:
    db = info.context.db
    return await paged(
        "authorities",
        str,
        first,
        after,
        fetch=lambda size, key: recognitions.authorities_page(db, first=size, after=key),
        count=lambda: recognitions.authorities_count(db),
        to_node=RecognitionAuthority.from_record,
    )


async def skills(
    info: strawberry.Info, query: QueryArg = None, first: FirstArg = 20, after: AfterArg = None
) -> Connection[Skill]:
    db = info.context.db
    return await paged(
        "skills",
        str,
        first,
        after,
        fetch=lambda size, key: taxonomy.skills_page(db, query=query, first=size, after=key),
        count=lambda: taxonomy.skills_count(db, query=query),
        to_node=Skill.from_record,
    )


async def occupations(
    info: strawberry.Info, query: OccupationQueryArg = None, first: FirstArg = 20, after: AfterArg = None
) -> Connection[Occupation]:
    db = info.context.db
    query, problems = occupation_rules.read_query(query)
    if problems:
        raise BadUserInput.from_problems(problems)
    return await paged(
        "occupations",
        str if query is None else float,
        first,
        after,
        fetch=lambda size, key: occupation_store.search_page(db, query=query, first=size, after=key),
        count=lambda: occupation_store.search_count(db, query=query),
        to_node=Occupation.from_record,
    )


async def occupation(
    info: strawberry.Info,
    code: Annotated[str, strawberry.argument(description="The occupation's code, e.g. NOC 2021 `72106`.")],
    scheme: Annotated[
        str, strawberry.argument(description="The classification; NOC 2021 (`NOC2021`) unless said.")
    ] = OCCUPATION_SCHEME,
) -> Optional[Occupation]:
    record = await occupation_store.by_code(info.context.db, scheme, code.strip())
    return Occupation.from_record(record) if record else None


def viewer(info: strawberry.Info) -> Optional[Viewer]:
    access = info.context.access
    if access is None:
        return None
    return Viewer(client_id=access.client_id, scopes=sorted(access.scopes), access=access)
