"""The GraphQL object types of the public contract.

Scalar fields are plain attributes filled when an object is built from its record;
anything that needs another row goes through the request's DataLoaders.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Awaitable, Callable, Generic, Optional, TypeVar
from uuid import UUID

import strawberry
from strawberry import Private
from strawberry.dataloader import DataLoader

from registry.api import cursors
from registry.api.enums import (
    NOT_STATED,
    AssessmentType,
    Audience,
    AuthorityKind,
    ChangeKind,
    CostType,
    CredentialLinkKind,
    CredentialStatus,
    CredentialType,
    DeliveryMode,
    Pace,
    PathwayDirection,
    ProviderKind,
    RecognitionKind,
)
from registry.api.errors import BadUserInput
from registry.api.jsonld import JSON_LD_MAPPERS, JsonLdFormat, listing_view
from registry.api.loaders import now_or_later
from registry.api.scalars import URL, LanguageTag
from registry.domain import currency, ids, records
from registry.domain import occupations as occupation_rules
from registry.domain import offerings as offering_records
from registry.domain.completeness import completeness
from registry.domain.language import pick, translations
from registry.domain.listings import MAX_BACKLINKS, MAX_ITEMS, MAX_LINKS, MAX_PATHWAY_STEPS
from registry.domain.offerings import distance_km, listing_region
from registry.domain.principals import Principal
from registry.domain.search import Near, check_page_size
from registry.store.paging import Page

if TYPE_CHECKING:
    from registry.api.harvest import ListingSource
    from registry.api.offerings import Offering

T = TypeVar("T")

LangArg = Annotated[
    Optional[LanguageTag],
    strawberry.argument(description="Language to read the text in; falls back to English, then to any language."),
]
FirstArg = Annotated[
    Optional[int], strawberry.argument(description="How many items to return (0 to 100; null means 20).")
]
AfterArg = Annotated[
    Optional[str],
    strawberry.argument(description="Return the items after this cursor (an `endCursor` or edge `cursor`)."),
]


@strawberry.type(description="A text in one language.")
class LocalizedString:
    lang: LanguageTag = strawberry.field(description="The language of `value`, as a BCP 47 tag.")
    value: str = strawberry.field(description="The text.")


@strawberry.type(description="A listing's keywords in one language.")
class LocalizedKeywords:
    lang: LanguageTag = strawberry.field(description="The language of `values`, as a BCP 47 tag.")
    values: list[str] = strawberry.field(description="The keywords, in the provider's order.")


def localized(text: dict[str, str] | None) -> list[LocalizedString]:
    """Every translation of a language map, ordered by language tag."""
    return [LocalizedString(lang=LanguageTag(lang), value=value) for lang, value in translations(text)]


def global_id(type_name: str, uuid: UUID) -> strawberry.ID:
    """The opaque global ID of a ``type_name`` node (registry.domain.ids), as a GraphQL ID."""
    return strawberry.ID(ids.encode(type_name, uuid))


@strawberry.type(description="An amount of money in a currency.")
class Money:
    amount: float = strawberry.field(description="The amount, in units of `currency` (e.g. dollars, not cents).")
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. `CAD`.")


@strawberry.type(description="One cost of a listing besides its main `cost`: an application fee, materials...")
class CostItem:
    type: CostType = strawberry.field(description="What the cost is for.")
    cost: Money = strawberry.field(description="How much.")
    record: Private[records.CostItem]

    @classmethod
    def from_record(cls, r: records.CostItem) -> "CostItem":
        return cls(type=r.type, cost=Money(amount=r.amount, currency=r.currency), record=r)

    @strawberry.field(description="What it covers, when the provider says; null otherwise.")
    def description(self, lang: LangArg = None) -> Optional[str]:
        return pick(self.record.description, lang)


@strawberry.type(description="A level in a qualifications framework, e.g. EQF level 5.")
class FrameworkLevel:
    framework: str = strawberry.field(
        description="The framework, e.g. `EQF` or `ON-QF` (Ontario Qualifications Framework)."
    )
    value: str = strawberry.field(description="The level within the framework, e.g. `5`.")


@strawberry.type(description="Where a page sits in a list, for cursor pagination (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True when more items follow this page.")
    has_previous_page: bool = strawberry.field(description="True when this page was asked for `after` a cursor.")
    start_cursor: Optional[str] = strawberry.field(description="The cursor of the first item of this page.")
    end_cursor: Optional[str] = strawberry.field(
        description="The cursor of the last item; pass it as `after` to get the next page."
    )


@strawberry.interface(description="An object with a global ID, fetchable with `node(id:)` and `nodes(ids:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="The object's opaque global ID.")


@strawberry.type(description="An edge of a paginated list: one item and its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Pass as `after` to continue after this item.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list, with its position and the size of the whole list.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page, each with its cursor.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the whole list.")
    count: Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="The items of this page, without cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many items the whole list has, over all pages.")
    async def total_count(self) -> int:
        return await self.count()


def connection_parts(
    list_name: str, page: Page, to_node: Callable, after_given: bool, **extra
) -> tuple[list, PageInfo]:
    """Edges and PageInfo for a store page: the common half of every connection."""
    edges = [
        Edge(cursor=cursors.encode(list_name, key, **extra), node=to_node(item))
        for item, key in zip(page.items, page.keys)
    ]
    info = PageInfo(
        has_next_page=page.has_next,
        has_previous_page=after_given,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return edges, info


DEFAULT_PAGE_SIZE = 20


def page_size(first: int | None) -> int:
    """``first`` checked (0 to 100), null meaning the default; raises BadUserInput."""
    first = DEFAULT_PAGE_SIZE if first is None else first
    if problems := check_page_size(first):
        raise BadUserInput.from_problems(problems)
    return first


def page_window(first: int | None, after: str | None, list_name: str, sort_type: type) -> tuple[int, tuple | None]:
    """(page size, key to start after) for a list; raises BadUserInput."""
    size = page_size(first)
    key, _ = cursors.decode(after, list_name, sort_type)
    return size, key


async def paged(
    list_name: str,
    sort_type: type,
    first: int | None,
    after: str | None,
    *,
    fetch: Callable[[int, tuple | None], Awaitable[Page]],
    count: Callable[[], Awaitable[int]],
    to_node: Callable,
) -> "Connection":
    """A connection of any keyset list: checks the window, fetches one page, counts on demand."""
    size, key = page_window(first, after, list_name, sort_type)
    edges, info = connection_parts(list_name, await fetch(size, key), to_node, after is not None)
    return Connection(edges=edges, page_info=info, count=count)


@strawberry.federation.type(
    keys=["id"],
    description="An institution that awards micro-credentials: a college, "
    "university, Indigenous institute, industry trainer...",
)
class Provider(Node):
    id: strawberry.ID = strawberry.field(description="The provider's opaque global ID.")
    slug: str = strawberry.field(description="A short, stable, URL-safe name, e.g. `northern-college`.")
    kind: ProviderKind = strawberry.field(description="What kind of institution it is.")
    jurisdiction: str = strawberry.field(description="Province or territory (ISO 3166-2), e.g. `CA-ON`.")
    website: Optional[URL] = strawberry.field(description="The provider's website.")
    record: Private[records.Provider]

    @classmethod
    def from_record(cls, r: records.Provider) -> "Provider":
        return cls(
            id=global_id("Provider", r.id),
            slug=r.slug,
            kind=r.kind,
            jurisdiction=r.jurisdiction,
            website=URL(r.website) if r.website is not None else None,
            record=r,
        )

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> Optional["Provider"]:
        """Apollo Federation: the provider a supergraph refers to by ``id``."""
        uuid = ids.decode_as(id, "Provider")
        record = await info.context.loaders.provider.load(uuid) if uuid else None
        return cls.from_record(record) if record else None

    @strawberry.field(description="The provider's name.")
    def name(self, lang: LangArg = None) -> str:
        return pick(self.record.name, lang) or ""

    @strawberry.field(description="The provider's name in every language it has.")
    def name_translations(self) -> list[LocalizedString]:
        return localized(self.record.name)

    @strawberry.field(
        description="The provider's published listings, most recently published first; the "
        "provider's own token (or an operator's) also sees its drafts."
    )
    async def credentials(
        self, info: strawberry.Info, first: FirstArg = 20, after: AfterArg = None
    ) -> Connection[Credential]:
        loaders = info.context.loaders
        return await self._listings(
            "provider-credentials", loaders.provider_credentials, loaders.provider_credential_count, first, after
        )

    @strawberry.field(
        description="Listings of other providers that this one delivers as a delivery partner (see "
        "`Credential.offeredBy`), most recently published first; published ones only, but for their owner's "
        "token and operators."
    )
    async def delivered_credentials(
        self, info: strawberry.Info, first: FirstArg = 20, after: AfterArg = None
    ) -> Connection[Credential]:
        loaders = info.context.loaders
        return await self._listings(
            "provider-delivered", loaders.delivered_credentials, loaders.delivered_credential_count, first, after
        )

    async def _listings(
        self, list_name: str, pages: DataLoader, counts: DataLoader, first: int | None, after: str | None
    ) -> Connection[Credential]:
        """One of this provider's lists of listings, newest first: a page and its count, each
        batched with the other providers' of the request."""
        return await paged(
            list_name,
            float,
            first,
            after,
            fetch=lambda size, key: pages.load((self.record.id, size, key)),
            count=lambda: counts.load(self.record.id),
            to_node=Credential.from_record,
        )


@strawberry.type(description="A skill from a skills taxonomy, taught or assessed by listings.")
class Skill(Node):
    id: strawberry.ID = strawberry.field(description="The skill's opaque global ID.")
    scheme: str = strawberry.field(description="The taxonomy the skill comes from, e.g. `MCR` (the registry's own).")
    code: str = strawberry.field(description="The skill's code within its scheme.")
    record: Private[records.Skill]

    @classmethod
    def from_record(cls, r: records.Skill) -> "Skill":
        return cls(id=global_id("Skill", r.id), scheme=r.scheme, code=r.code, record=r)

    @strawberry.field(description="The skill's label.")
    def label(self, lang: LangArg = None) -> str:
        return pick(self.record.label, lang) or ""

    @strawberry.field(description="The skill's label in every language it has.")
    def label_translations(self) -> list[LocalizedString]:
        return localized(self.record.label)


@strawberry.type(description="An occupation from an occupational classification such as NOC 2021.")
class Occupation(Node):
    id: strawberry.ID = strawberry.field(description="The occupation's opaque global ID.")
    scheme: str = strawberry.field(description="The classification, e.g. `NOC2021`, `ISCO08`, `SOC2018`.")
    code: str = strawberry.field(description="The occupation's code in that classification, e.g. `21231`.")
    record: Private[records.Occupation]

    @classmethod
    def from_record(cls, r: records.Occupation) -> "Occupation":
        return cls(id=global_id("Occupation", r.id), scheme=r.scheme, code=r.code, record=r)

    @strawberry.field(description="The occupation's title.")
    def title(self, lang: LangArg = None) -> str:
        return pick(self.record.title, lang) or ""

    @strawberry.field(description="The occupation's title in every language it has.")
    def title_translations(self) -> list[LocalizedString]:
        return localized(self.record.title)

    @strawberry.field(
        description="What the occupation is, as its classification defines it (NOC 2021's class definition);"
        " null when the loaded files gave none."
    )
    async def definition(self, info: strawberry.Info, lang: LangArg = None) -> Optional[str]:
        return pick((await self._details(info)).definition or {}, lang)

    @strawberry.field(
        description="The job titles people use for this occupation (NOC 2021's illustrative examples and"
        " other examples), in the language asked for (else its base language, else English, else any),"
        " in the classification's order."
    )
    async def example_titles(self, info: strawberry.Info, lang: LangArg = None) -> list[str]:
        return list(pick((await self._details(info)).example_titles, lang) or [])

    @strawberry.field(
        description="NOC 2021's TEER category (Training, Education, Experience and Responsibilities, 0 to 5):"
        " the second digit of a unit group's code; null for other classifications."
    )
    def teer(self) -> Optional[int]:
        return occupation_rules.teer(self.scheme, self.code)

    async def _details(self, info: strawberry.Info) -> records.Occupation:
        """This occupation with its definition and job titles (loaded once per request when the
        record came without them, as with a listing's occupations)."""
        if self.record.example_titles is not None:
            return self.record
        return await info.context.loaders.occupation_details.load(self.record.id) or self.record


@strawberry.type(
    description="A body that recognises credentials: a ministry, regulator, industry association, "
    "quality-assurance agency or employer."
)
class RecognitionAuthority(Node):
    id: strawberry.ID = strawberry.field(description="The authority's opaque global ID.")
    slug: str = strawberry.field(description="A short, stable, URL-safe name.")
    kind: AuthorityKind = strawberry.field(description="What kind of body it is.")
    jurisdiction: str = strawberry.field(
        description="Where it has authority: `CA` (national) or a province, e.g. `CA-BC`."
    )
    website: Optional[URL] = strawberry.field(description="The authority's website.")
    record: Private[records.Authority]

    @classmethod
    def from_record(cls, r: records.Authority) -> "RecognitionAuthority":
        return cls(
            id=global_id("RecognitionAuthority", r.id),
            slug=r.slug,
            kind=r.kind,
            jurisdiction=r.jurisdiction,
            website=URL(r.website) if r.website is not None else None,
            record=r,
        )

    @strawberry.field(description="The authority's name.")
    def name(self, lang: LangArg = None) -> str:
        return pick(self.record.name, lang) or ""

    @strawberry.field(description="The authority's name in every language it has.")
    def name_translations(self) -> list[LocalizedString]:
        return localized(self.record.name)


@strawberry.type(description="An authority's recognition of a credential, valid for a period unless revoked.")
class Recognition(Node):
    id: strawberry.ID = strawberry.field(description="The recognition's opaque global ID.")
    kind: RecognitionKind = strawberry.field(description="What the recognition says.")
    valid_from: date = strawberry.field(description="The first day the recognition is in force.")
    valid_until: Optional[date] = strawberry.field(description="The last day it is in force; null when open-ended.")
    note: Optional[str] = strawberry.field(
        description="The authority's note, e.g. the programme or agreement it falls under."
    )
    revoked_at: Optional[datetime] = strawberry.field(description="When it was revoked; null while not revoked.")
    record: Private[records.Recognition]

    @classmethod
    def from_record(cls, r: records.Recognition) -> "Recognition":
        return cls(
            id=global_id("Recognition", r.id),
            kind=r.kind,
            valid_from=r.valid_from,
            valid_until=r.valid_until,
            note=r.note,
            revoked_at=r.revoked_at,
            record=r,
        )

    @strawberry.field(description="True when in force today: not revoked, started and not expired.")
    def is_active(self, info: strawberry.Info) -> bool:
        return self.record.is_active(info.context.today)

    @strawberry.field(description="The recognised credential.")
    def credential(self, info: strawberry.Info) -> Credential:
        return now_or_later(info.context.loaders.credential, self.record.credential_id, Credential.from_record)

    @strawberry.field(description="The authority that recognises it.")
    def authority(self, info: strawberry.Info) -> RecognitionAuthority:
        return now_or_later(info.context.loaders.authority, self.record.authority_id, RecognitionAuthority.from_record)


@strawberry.type(description="A stackability link from one listing to another.")
class CredentialLink:
    kind: CredentialLinkKind = strawberry.field(description="How this listing relates to the target.")
    target: Credential = strawberry.field(description="The listing linked to.")


@strawberry.type(description="A stackability link to a listing from another: the mirror of `CredentialLink`.")
class CredentialBacklink:
    kind: CredentialLinkKind = strawberry.field(description="How the source relates to this listing.")
    source: Credential = strawberry.field(description="The listing that links here.")


@strawberry.type(
    description="A listing on the stack around another: what it leads to or builds on through PART_OF and "
    "PREPARES_FOR links, however they chain (up to five links away)."
)
class PathwayStep:
    direction: PathwayDirection = strawberry.field(description="Which way along the stack it lies.")
    kind: CredentialLinkKind = strawberry.field(description="The kind of the last link on the way to it.")
    depth: int = strawberry.field(description="How many links away it is at the nearest (1: linked directly).")
    credential: Credential = strawberry.field(description="The listing.")


@strawberry.type(description="One entry of a listing's history: every change leaves one, and none is ever removed.")
class CredentialVersion:
    version: int = strawberry.field(description="The listing's version number after this change (1, 2, 3...).")
    kind: ChangeKind = strawberry.field(description="What the change was.")
    changed_at: datetime = strawberry.field(description="When it happened.")
    actor: str = strawberry.field(
        description="Who made it. The listing's provider and operators see the OAuth "
        "client ID (or `seed`/`import` for bulk loads, `harvest:<run ID>` for a harvest run); everyone else "
        "sees only `provider`, `registry` (an operator), the bulk load's name or the harvest run."
    )
    note: Optional[str] = strawberry.field(description="Why, when the change says: e.g. the reason for retiring.")
    record: Private[records.CredentialVersion]

    @classmethod
    def from_record(cls, r: records.CredentialVersion) -> "CredentialVersion":
        return cls(version=r.version, kind=r.kind, changed_at=r.changed_at, actor=r.actor, note=r.note, record=r)

    @strawberry.field(description="The whole listing as it was after this change, as JSON text.")
    def snapshot(self) -> str:
        return json.dumps(self.record.snapshot, ensure_ascii=False, sort_keys=True)


@strawberry.federation.type(
    keys=["id"],
    description="A micro-credential listing: what is offered, by whom, where "
    "and how, at what cost, for whom, and who recognises it.",
)
class Credential(Node):
    id: strawberry.ID = strawberry.field(description="The listing's opaque global ID.")
    external_id: Optional[str] = strawberry.field(
        description="The provider's own key for the listing, unique per provider; submissions upsert by it."
    )
    status: CredentialStatus = strawberry.field(description="Draft, published or retired.")
    credential_type: CredentialType = strawberry.field(description="The kind of credential.")
    level: Optional[FrameworkLevel] = strawberry.field(description="Its level in a qualifications framework.")
    level_reason: Optional[str] = strawberry.field(description="Why no framework level applies, when none is given.")
    workload_hours: float = strawberry.field(
        description="Notional learning hours, all activities included; 0 only on a draft that does not state "
        "them yet (`completeness.missing` names it; it must be stated before publishing)."
    )
    ects_credits: Optional[float] = strawberry.field(description="ECTS credits, where the provider states them.")
    duration_weeks: Optional[float] = strawberry.field(description="Typical duration in weeks.")
    delivery_mode: DeliveryMode = strawberry.field(description="How learners take part (NOT_STATED on a draft only).")
    pace: Pace = strawberry.field(description="Self-paced or scheduled (NOT_STATED on a draft only).")
    languages: list[LanguageTag] = strawberry.field(description="Languages of instruction (BCP 47).")
    regions: list[str] = strawberry.field(
        description="Where it is offered (ISO 3166-2, e.g. `CA-ON`); online listings name the regions they enrol from."
    )
    cost: Optional[Money] = strawberry.field(description="Tuition for the whole credential; null when free.")
    assessment: AssessmentType = strawberry.field(
        description="How achievement is assessed (NOT_STATED on a draft only)."
    )
    cost_items: list[CostItem] = strawberry.field(
        description="Every other cost, by what it is for: application, materials, technology fees..."
    )
    ctid: Optional[str] = strawberry.field(
        description="Credential Engine's CTID (`ce-<uuid>`): kept from an import, otherwise minted once; "
        "never changes, and every CTDL export carries it."
    )
    quality_assurance: Optional[str] = strawberry.field(description="The quality-assurance process it went through.")
    audiences: list[Audience] = strawberry.field(description="Groups it is designed for or reserves places for.")
    funding_programs: list[str] = strawberry.field(
        description="Public funding it is eligible for, e.g. `Canada Training Credit`."
    )
    url: URL = strawberry.field(
        description="The listing's page on the provider's website (https expected; an http page counts as "
        "missing in `completeness`)."
    )
    version: int = strawberry.field(
        description="Current version; increases with every change. Pass it as `expectedVersion` when updating."
    )
    created_at: datetime = strawberry.field(description="When the listing was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    published_at: Optional[datetime] = strawberry.field(description="When it was (last) published.")
    retired_at: Optional[datetime] = strawberry.field(description="When it was retired; null unless RETIRED.")
    last_verified_at: Optional[datetime] = strawberry.field(
        description="When its provider last confirmed the listing current (`confirmCredentials`) or changed it, "
        "which confirms it too."
    )
    record: Private[records.Credential]
    # The search's `lang`, used by text fields asked for without a `lang` of their own.
    default_lang: Private[Optional[str]] = None
    # The point the search that found it was near: its offerings say how far they are from it
    # (kept per listing: two searches of one request may be near two places).
    near: Private[Optional[Near]] = None

    @classmethod
    def from_record(
        cls, r: records.Credential, default_lang: str | None = None, near: Near | None = None
    ) -> "Credential":
        return cls(
            id=global_id("Credential", r.id),
            external_id=r.external_id,
            status=r.status,
            credential_type=r.credential_type,
            level=FrameworkLevel(framework=r.level_framework, value=r.level_value)
            if r.level_framework and r.level_value is not None
            else None,
            level_reason=r.level_reason,
            workload_hours=r.workload_hours if r.workload_hours is not None else 0.0,
            ects_credits=r.ects_credits,
            duration_weeks=r.duration_weeks,
            delivery_mode=r.delivery_mode or NOT_STATED,
            pace=r.pace or NOT_STATED,
            languages=[LanguageTag(tag) for tag in r.languages],
            regions=r.regions,
            cost=Money(amount=r.cost_amount, currency=r.cost_currency)
            if r.cost_amount is not None and r.cost_currency is not None
            else None,
            assessment=r.assessment or NOT_STATED,
            cost_items=[CostItem.from_record(item) for item in r.cost_items],
            ctid=r.ctid,
            quality_assurance=r.quality_assurance,
            audiences=r.audiences,
            funding_programs=r.funding_programs,
            url=URL(r.url),
            version=r.version,
            created_at=r.created_at,
            updated_at=r.updated_at,
            published_at=r.published_at,
            retired_at=r.retired_at,
            last_verified_at=r.last_verified_at,
            record=r,
            default_lang=default_lang,
            near=near,
        )

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> Optional["Credential"]:
        """Apollo Federation: the listing a supergraph refers to by ``id`` (if the caller may see it)."""
        uuid = ids.decode_as(id, "Credential")
        record = await info.context.loaders.credential.load(uuid) if uuid else None
        return cls.from_record(record) if record else None

    @strawberry.field(description="The title.")
    def title(self, lang: LangArg = None) -> str:
        return pick(self.record.title, lang or self.default_lang) or ""

    @strawberry.field(
        description="The listing in a standard's vocabulary, as JSON-LD text: CTDL (Credential "
        "Engine), Open Badges 3.0 Achievement, European Learning Model or schema.org."
    )
    async def json_ld(
        self,
        info: strawberry.Info,
        format: Annotated[JsonLdFormat, strawberry.argument(description="Which vocabulary.")],
    ) -> str:
        view = await listing_view(info, self.record)
        return json.dumps(JSON_LD_MAPPERS[format](view), ensure_ascii=False)

    @strawberry.field(description="What the listing still lacks of the EU mandatory elements and CTDL minimum data.")
    def completeness(self) -> CompletenessReport:
        found = completeness(self.record)
        return CompletenessReport(score=found.score, missing=found.missing)

    @strawberry.field(description="The title in every language it has.")
    def title_translations(self) -> list[LocalizedString]:
        return localized(self.record.title)

    @strawberry.field(description="The description; empty while a draft has none.")
    def description(self, lang: LangArg = None) -> str:
        return pick(self.record.description, lang or self.default_lang) or ""

    @strawberry.field(description="The description in every language it has.")
    def description_translations(self) -> list[LocalizedString]:
        return localized(self.record.description)

    @strawberry.field(description="What learners will be able to do, one outcome per item.")
    def learning_outcomes(self, lang: LangArg = None) -> list[str]:
        return [pick(outcome, lang or self.default_lang) or "" for outcome in self.record.learning_outcomes]

    @strawberry.field(description="The learning outcomes with every translation of each.")
    def learning_outcomes_translations(self) -> list[list[LocalizedString]]:
        return [localized(outcome) for outcome in self.record.learning_outcomes]

    @strawberry.field(
        description="Words the provider files the listing under, in one language (searched like the outcomes)."
    )
    def keywords(self, lang: LangArg = None) -> list[str]:
        return pick(self.record.keywords, lang or self.default_lang) or []

    @strawberry.field(description="What learners need before they start; null when nothing.")
    def prerequisites(self, lang: LangArg = None) -> Optional[str]:
        return pick(self.record.prerequisites, lang or self.default_lang)

    @strawberry.field(description="The keywords in every language they have, ordered by language tag.")
    def keywords_translations(self) -> list[LocalizedKeywords]:
        return [
            LocalizedKeywords(lang=LanguageTag(lang), values=values)
            for lang, values in sorted(self.record.keywords.items())
        ]

    @strawberry.field(description="The prerequisites in every language they have; empty when there are none.")
    def prerequisites_translations(self) -> list[LocalizedString]:
        return localized(self.record.prerequisites)

    @strawberry.field(description="The awarding institution.")
    def provider(self, info: strawberry.Info) -> Provider:
        return now_or_later(info.context.loaders.provider, self.record.provider_id, Provider.from_record)

    @strawberry.field(
        description="Delivery partners: providers that deliver this listing besides its owner (`provider`), in "
        "the owner's order; empty when only the owner does.",
        metadata={"max_items": MAX_ITEMS["offered_by_provider_ids"]},
    )
    def offered_by(self, info: strawberry.Info) -> list[Provider]:
        return now_or_later(
            info.context.loaders.partners_of, self.record.id, lambda found: [Provider.from_record(p) for p in found]
        )

    @strawberry.field(description="Skills taught and assessed.", metadata={"max_items": MAX_ITEMS["skill_ids"]})
    def skills(self, info: strawberry.Info) -> list[Skill]:
        return now_or_later(
            info.context.loaders.skills_of, self.record.id, lambda found: [Skill.from_record(s) for s in found]
        )

    @strawberry.field(
        description="Occupations it prepares for (NOC 2021 and others).",
        metadata={"max_items": MAX_ITEMS["occupation_codes"]},
    )
    def occupations(self, info: strawberry.Info) -> list[Occupation]:
        return now_or_later(
            info.context.loaders.occupations_of,
            self.record.id,
            lambda found: [Occupation.from_record(o) for o in found],
        )

    @strawberry.field(
        description="Stackability: listings this one is part of, prepares for, or supersedes (at most 20). "
        "Links to listings the caller cannot see are left out.",
        metadata={"max_items": MAX_LINKS},
    )
    async def links(self, info: strawberry.Info) -> list[CredentialLink]:
        loaders = info.context.loaders
        links = await loaders.links_of.load(self.record.id)
        targets = await loaders.credential.load_many([link.to_id for link in links])
        return [
            CredentialLink(kind=link.kind, target=Credential.from_record(target))
            for link, target in zip(links, targets)
            if target is not None
        ]

    @strawberry.field(
        description="The mirror of `links`: listings that are part of, prepare for, or supersede this one (at "
        "most 100; those the caller cannot see are left out).",
        metadata={"max_items": MAX_BACKLINKS},
    )
    def linked_from(self, info: strawberry.Info) -> list[CredentialBacklink]:
        return now_or_later(
            info.context.loaders.backlinks_of,
            self.record.id,
            lambda found: [
                CredentialBacklink(kind=kind, source=Credential.from_record(source)) for kind, source in found
            ],
        )

    @strawberry.field(
        description="The stack around this listing: what it leads to (LEADS_TO, following PART_OF and PREPARES_FOR "
        "links, then theirs) and what builds on to it (BUILDS_ON, the other way), each listing once at its "
        "nearest, up to five links away, nearest first (at most 100 each way). A listing the caller cannot see "
        "is left out, and so is what lies only beyond it; cycles end where they close.",
        metadata={"max_items": 2 * MAX_PATHWAY_STEPS},
    )
    def pathway(self, info: strawberry.Info) -> list[PathwayStep]:
        return now_or_later(
            info.context.loaders.pathway_of,
            self.record.id,
            lambda found: [
                PathwayStep(
                    direction=step.direction, kind=step.kind, depth=step.depth,
                    credential=Credential.from_record(step.credential),
                )
                for step in found
            ],
        )  # fmt: skip

    @strawberry.field(description="Recognitions by authorities, newest first.")
    def recognitions(
        self,
        info: strawberry.Info,
        active_only: Annotated[
            Optional[bool],
            strawberry.argument(
                description="Only those in force today (not revoked, started, not expired); null means true."
            ),
        ] = True,
    ) -> list[Recognition]:
        today = info.context.today
        return now_or_later(
            info.context.loaders.recognitions_of,
            self.record.id,
            lambda found: [Recognition.from_record(r) for r in found if active_only is False or r.is_active(today)],
        )

    @strawberry.field(
        description="Where a harvested listing came from (its source, its address there, when it was fetched); "
        "null for listings written in this registry."
    )
    def source(
        self, info: strawberry.Info
    ) -> Optional[Annotated[ListingSource, strawberry.lazy("registry.api.harvest")]]:
        from registry.api.harvest import ListingSource

        return now_or_later(
            info.context.loaders.listing_source,
            self.record.id,
            lambda found: ListingSource.from_record(found) if found else None,
        )

    @strawberry.field(
        description="When and where it runs, soonest first (rolling intakes first); cancelled ones are shown with "
        "`cancelledAt`."
    )
    def offerings(
        self,
        info: strawberry.Info,
        include_past: Annotated[
            Optional[bool], strawberry.argument(description="Also offerings that have ended; null means false.")
        ] = False,
    ) -> list[Annotated[Offering, strawberry.lazy("registry.api.offerings")]]:
        from registry.api.offerings import Offering

        now, region, near = info.context.now, listing_region(self.record.regions), self.near

        def shown(o: offering_records.Offering) -> Offering:
            far = (
                None
                if near is None or o.delivery_mode == "ONLINE"
                else distance_km(near.latitude, near.longitude, o.place)
            )
            return Offering.from_record(o, far)

        return now_or_later(
            info.context.loaders.offerings_of,
            self.record.id,
            lambda found: [shown(o) for o in found if include_past or not o.has_ended(now, region)],
        )

    @strawberry.field(
        description="True when its provider has not confirmed the listing current (nor changed it) for longer than "
        "the registry allows (12 months unless the registry says otherwise): what it says may be out of date."
    )
    def is_stale(self, info: strawberry.Info) -> bool:
        return currency.is_stale(
            self.record.last_verified_at, datetime.now(UTC), info.context.settings.stale_after_days
        )

    @strawberry.field(
        description="The start date of the soonest offering not cancelled that starts today or later (today where "
        "it runs); null when none."
    )
    def next_start_date(self, info: strawberry.Info) -> Optional[date]:
        now, region = info.context.now, listing_region(self.record.regions)
        return now_or_later(
            info.context.loaders.offerings_of,
            self.record.id,
            lambda found: min(
                (
                    o.start_date
                    for o in found
                    if o.cancelled_at is None and o.start_date and o.start_date >= o.today(now, region)
                ),
                default=None,
            ),
        )

    @strawberry.field(description="True when at least one recognition is in force today.")
    def is_recognized(self, info: strawberry.Info) -> bool:
        today = info.context.today
        return now_or_later(
            info.context.loaders.recognitions_of, self.record.id, lambda found: any(r.is_active(today) for r in found)
        )

    @strawberry.field(
        description="The versions of the listing, newest first: for the public, those from its first "
        "publication on (draft versions are its provider's and operators' only)."
    )
    async def history(
        self, info: strawberry.Info, first: FirstArg = 20, after: AfterArg = None
    ) -> Connection[CredentialVersion]:
        loaders = info.context.loaders
        return await paged(
            "history",
            float,
            first,
            after,
            fetch=lambda size, key: loaders.history.load((self.record.id, size, key)),
            count=lambda: loaders.history_count.load(self.record.id),
            to_node=CredentialVersion.from_record,
        )


@strawberry.type(
    description="How complete a listing is against the EU mandatory listing elements and the CTDL minimum data."
)
class CompletenessReport:
    score: float = strawberry.field(description="The share of elements present, from 0 to 1.")
    missing: list[str] = strawberry.field(description="The missing elements, named like the fields that hold them.")


@strawberry.type(description="How many listings of the result have one value of a facet.")
class FacetValue:
    value: str = strawberry.field(
        description="The value: an enum name, a region or language code, a provider's or "
        "authority's global ID, a cost ceiling or a range of hours."
    )
    count: int = strawberry.field(description="How many listings have it.")
    name: Private[Optional[records.LanguageMap]] = None  # of the provider or authority the value is

    @strawberry.field(
        description="A name to show people for the value: the provider's or authority's name in "
        "`lang`. Null for codes (enum names, regions, languages, costs, ranges), "
        "which portals label in their own words."
    )
    def label(self, lang: LangArg = None) -> Optional[str]:
        return pick(self.name, lang) if self.name is not None else None


@strawberry.type(
    description="Counts per value of each facet. Each facet is counted over the result filtered by "
    "everything except that facet's own filter, so other choices stay visible."
)
class CredentialFacets:
    delivery_mode: list[FacetValue] = strawberry.field(description="Per DeliveryMode.")
    region: list[FacetValue] = strawberry.field(description="Per region offered (ISO 3166-2).")
    language: list[FacetValue] = strawberry.field(description="Per language of instruction.")
    credential_type: list[FacetValue] = strawberry.field(description="Per CredentialType.")
    pace: list[FacetValue] = strawberry.field(description="Per Pace.")
    audience: list[FacetValue] = strawberry.field(description="Per Audience.")
    provider: list[FacetValue] = strawberry.field(description="Per provider; `value` is the provider's global ID.")
    recognition_kind: list[FacetValue] = strawberry.field(description="Per kind of recognition in force.")
    recognized_by: list[FacetValue] = strawberry.field(
        description="Per authority with a recognition in force; `value` is the authority's global ID (pass it in "
        "`filter.recognizedByAuthorityIds`), `label` its name."
    )
    cost: list[FacetValue] = strawberry.field(
        description="Per cost ceiling: `value` is a `filter.maxCost` (`0` free, `500`, `1000`, `2500`); a listing "
        "counts under every ceiling it fits, as that filter would find it."
    )
    workload: list[FacetValue] = strawberry.field(
        description="Per range of workload hours: `value` is `min-max` (`0-10`, `10-40`, `40-120`, `120-` with no "
        "maximum) for `filter.minWorkloadHours` and `maxWorkloadHours`; a listing on a boundary counts "
        "in both ranges, as those filters would find it."
    )
    start_window: list[FacetValue] = strawberry.field(
        description="Per when offerings start, from today in their place: `NEXT_30_DAYS`, `NEXT_90_DAYS` (a listing "
        "with an offering within 30 days counts in both), `LATER`, and `ANY_TIME` (a rolling intake); as "
        "`filter.startsBetween` ranges from today would find them."
    )
    schedule_timing: list[FacetValue] = strawberry.field(
        description="Per ScheduleTiming of the listings' offerings (not cancelled)."
    )
    currency: list[FacetValue] = strawberry.field(
        description="Per whether the listings are confirmed current: `CURRENT` and `STALE` (see `Credential.isStale`), "
        "as `filter.stale` finds them."
    )


@strawberry.type(description="One page of a credential search, with the total and the facet counts.")
class CredentialSearchResult:
    edges: list[Edge[Credential]] = strawberry.field(description="The listings of this page, each with its cursor.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the whole result.")
    count: Private[Callable[[], Awaitable[int]]]
    facet_counts: Private[Callable[[], Awaitable[CredentialFacets]]]

    @strawberry.field(description="The listings of this page, without cursors.")
    def nodes(self) -> list[Credential]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many listings match, over all pages.")
    async def total_count(self) -> int:
        return await self.count()

    @strawberry.field(description="Counts per facet value over the whole result (not just this page).")
    async def facets(self) -> CredentialFacets:
        # Only the facets the query selects are counted (each one widens the scan): the
        # search resolver reads the selection and prepares the statement.
        return await self.facet_counts()


@strawberry.type(description="Who is calling: the OAuth client behind the bearer token.")
class Viewer:
    client_id: str = strawberry.field(description="The OAuth client ID.")
    scopes: list[str] = strawberry.field(description="The scopes the token grants.")
    access: Private[Principal]

    @strawberry.field(description="The provider the client acts for; null unless bound to one.")
    async def provider(self, info: strawberry.Info) -> Optional[Provider]:
        if self.access.provider_id is None:
            return None
        return Provider.from_record(await info.context.loaders.provider.load(self.access.provider_id))

    @strawberry.field(
        description="The jurisdictions a portal's client serves (its webhooks cover them); empty for other clients."
    )
    def portal_jurisdictions(self) -> list[str]:
        return list(self.access.portal_jurisdictions)

    @strawberry.field(
        description="The providers a publisher's client acts for (it names one as `providerId` on each write); empty "
        "for other clients."
    )
    async def acts_for_providers(self, info: strawberry.Info) -> list[Provider]:
        found = await info.context.loaders.provider.load_many(sorted(self.access.acts_for))
        return sorted((Provider.from_record(p) for p in found if p is not None), key=lambda p: p.slug)

    @strawberry.field(description="The recognition authority the client acts for; null unless bound to one.")
    async def authority(self, info: strawberry.Info) -> Optional[RecognitionAuthority]:
        if self.access.authority_id is None:
            return None
        return RecognitionAuthority.from_record(await info.context.loaders.authority.load(self.access.authority_id))
