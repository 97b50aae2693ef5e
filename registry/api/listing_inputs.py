"""The inputs of the listing and recognition mutations, and their translation into domain values."""

from __future__ import annotations

from datetime import date
from typing import Optional, overload

import strawberry

from registry.api.enums import (
    AssessmentType,
    Audience,
    CostType,
    CredentialLinkKind,
    CredentialType,
    DeliveryMode,
    OfferingAvailability,
    Pace,
    RecognitionKind,
    ScheduleTiming,
)
from registry.api.scalars import URL, LanguageTag
from registry.domain import ids
from registry.domain.errors import Problem
from registry.domain.listings import ListingChanges
from registry.domain.offerings import OfferingChanges, Place
from registry.domain.records import CostItem


@strawberry.input(description="A text in one language.")
class LocalizedStringInput:
    lang: LanguageTag = strawberry.field(description="BCP 47 language tag, e.g. `en`, `fr`, `fr-CA`.")
    value: str = strawberry.field(description="The text.")


@strawberry.input(description="An amount of money in a currency.")
class MoneyInput:
    amount: float = strawberry.field(description="The amount, in units of the currency (not cents).")
    currency: str = strawberry.field(description="ISO 4217 code, e.g. `CAD`.")


@strawberry.input(description="Where an offering runs.")
class PlaceInput:
    municipality: str = strawberry.field(description="The municipality, e.g. `Sudbury`.")
    region: str = strawberry.field(description="The province or territory (ISO 3166-2), e.g. `CA-ON`.")
    name: Optional[str] = strawberry.field(default=None, description="The campus or building.")
    street_address: Optional[str] = strawberry.field(default=None, description="The street address.")
    postal_code: Optional[str] = strawberry.field(default=None, description="The postal code.")
    latitude: Optional[float] = strawberry.field(default=None, description="Latitude (WGS 84), with `longitude`.")
    longitude: Optional[float] = strawberry.field(default=None, description="Longitude (WGS 84), with `latitude`.")


@strawberry.input(description="An offering's fields; on update, omitted fields stay as they are.")
class OfferingInput:
    external_id: Optional[str] = strawberry.field(default=None, description="Your key for this run (per listing).")
    start_date: Optional[date] = strawberry.field(default=None, description="The first day; none: rolling intake.")
    end_date: Optional[date] = strawberry.field(default=None, description="The last day.")
    registration_opens: Optional[date] = strawberry.field(default=None, description="When registration opens.")
    registration_deadline: Optional[date] = strawberry.field(default=None, description="When registration closes.")
    delivery_mode: Optional[DeliveryMode] = strawberry.field(
        default=None, description="How learners take part (required when adding)."
    )
    place: Optional[PlaceInput] = strawberry.field(default=None, description="Where it runs (required unless online).")
    schedule_timings: Optional[list[ScheduleTiming]] = strawberry.field(
        default=None, description="When in the day or week sessions are."
    )
    languages: Optional[list[LanguageTag]] = strawberry.field(default=None, description="Languages of instruction.")
    cost: Optional[MoneyInput] = strawberry.field(default=None, description="Its cost, when not the listing's.")
    seats_total: Optional[int] = strawberry.field(default=None, description="How many learners it takes.")
    seats_available: Optional[int] = strawberry.field(default=None, description="How many seats are left.")
    availability: Optional[OfferingAvailability] = strawberry.field(
        default=None, description="Whether it takes registrations (OPEN when adding without it)."
    )

    def to_changes(self) -> OfferingChanges:
        """The domain change."""
        place = self.place
        return OfferingChanges(
            external_id=self.external_id,
            start_date=self.start_date,
            end_date=self.end_date,
            registration_opens=self.registration_opens,
            registration_deadline=self.registration_deadline,
            delivery_mode=self.delivery_mode.value if self.delivery_mode else None,
            place=Place(
                municipality=place.municipality,
                region=place.region,
                name=place.name,
                street_address=place.street_address,
                postal_code=place.postal_code,
                latitude=place.latitude,
                longitude=place.longitude,
            )
            if place
            else None,
            schedule_timings=[t.value for t in self.schedule_timings] if self.schedule_timings is not None else None,
            languages=[str(tag) for tag in self.languages] if self.languages is not None else None,
            cost_amount=self.cost.amount if self.cost else None,
            cost_currency=self.cost.currency if self.cost else None,
            seats_total=self.seats_total,
            seats_available=self.seats_available,
            availability=self.availability.value if self.availability else None,
        )


@strawberry.input(description="A level in a qualifications framework.")
class FrameworkLevelInput:
    framework: str = strawberry.field(description="The framework, e.g. `EQF`.")
    value: str = strawberry.field(description="The level, e.g. `5`.")


@strawberry.input(description="One cost besides the listing's main cost.")
class CostItemInput:
    type: CostType = strawberry.field(description="What the cost is for.")
    cost: MoneyInput = strawberry.field(description="How much.")
    description: Optional[list[LocalizedStringInput]] = strawberry.field(
        default=None, description="What it covers, per language."
    )

    def to_domain(self) -> CostItem:
        return CostItem(self.type.value, self.cost.amount, self.cost.currency, text_map(self.description))


@overload
def text_map(items: list[LocalizedStringInput]) -> dict[str, str]: ...


@overload
def text_map(items: list[LocalizedStringInput] | None) -> dict[str, str] | None: ...


def text_map(items: list[LocalizedStringInput] | None) -> dict[str, str] | None:
    """A language map from a list of texts (None when the field was left out)."""
    return None if items is None else {item.lang: item.value for item in items}


def words_map(items: list[LocalizedStringInput] | None) -> dict[str, list[str]] | None:
    """Words grouped by language, in the order given, each once and without surrounding spaces
    (None when the field was left out)."""
    if items is None:
        return None
    grouped: dict[str, dict[str, None]] = {}
    for item in items:
        grouped.setdefault(item.lang, {})[item.value.strip()] = None
    return {lang: list(words) for lang, words in grouped.items()}


@strawberry.input(description="The fields of a listing. On update, omitted fields stay as they are.")
class CredentialInput:
    external_id: Optional[str] = strawberry.field(
        default=None, description="Your own key for the listing, unique within your institution."
    )
    credential_type: Optional[CredentialType] = strawberry.field(default=None, description="The kind of credential.")
    title: Optional[list[LocalizedStringInput]] = strawberry.field(default=None, description="Title per language.")
    description: Optional[list[LocalizedStringInput]] = strawberry.field(
        default=None, description="Description per language."
    )
    learning_outcomes: Optional[list[list[LocalizedStringInput]]] = strawberry.field(
        default=None, description="Learning outcomes, each with its translations."
    )
    skill_ids: Optional[list[strawberry.ID]] = strawberry.field(default=None, description="Skills taught (global IDs).")
    occupation_codes: Optional[list[str]] = strawberry.field(default=None, description="Occupations (NOC 2021 codes).")
    level: Optional[FrameworkLevelInput] = strawberry.field(default=None, description="Framework level.")
    level_reason: Optional[str] = strawberry.field(
        default=None, description="Why no framework level applies (publishing needs a level or this reason)."
    )
    workload_hours: Optional[float] = strawberry.field(
        default=None, description="Notional learning hours (required to publish)."
    )
    ects_credits: Optional[float] = strawberry.field(default=None, description="ECTS credits.")
    duration_weeks: Optional[float] = strawberry.field(default=None, description="Typical duration in weeks.")
    delivery_mode: Optional[DeliveryMode] = strawberry.field(
        default=None, description="How learners take part (required to publish)."
    )
    pace: Optional[Pace] = strawberry.field(default=None, description="Self-paced or scheduled (required to publish).")
    languages: Optional[list[LanguageTag]] = strawberry.field(default=None, description="Languages of instruction.")
    regions: Optional[list[str]] = strawberry.field(default=None, description="Regions offered (ISO 3166-2).")
    cost: Optional[MoneyInput] = strawberry.field(default=None, description="Tuition for the whole credential.")
    assessment: Optional[AssessmentType] = strawberry.field(
        default=None, description="How it is assessed (required to publish)."
    )
    quality_assurance: Optional[str] = strawberry.field(default=None, description="Quality-assurance process.")
    prerequisites: Optional[list[LocalizedStringInput]] = strawberry.field(default=None, description="Prerequisites.")
    audiences: Optional[list[Audience]] = strawberry.field(default=None, description="Groups it is designed for.")
    funding_programs: Optional[list[str]] = strawberry.field(
        default=None, description="Public funding it is eligible for."
    )
    url: Optional[URL] = strawberry.field(
        default=None, description="The listing's page (required; https expected, an http page counts as missing)."
    )
    ctid: Optional[str] = strawberry.field(
        default=None,
        description="Its Credential Engine CTID, when it has one already (`ce-<uuid>`); otherwise one is minted. "
        "Set once: a different CTID later is refused.",
    )
    keywords: Optional[list[LocalizedStringInput]] = strawberry.field(
        default=None, description="Words to file it under, one per item, each in its language; replaces the list."
    )
    cost_items: Optional[list[CostItemInput]] = strawberry.field(
        default=None, description="Every cost besides `cost` (application, materials...); replaces the list."
    )
    offerings: Optional[list[OfferingInput]] = strawberry.field(
        default=None,
        description="In `submitCredentials` only: the listing's whole set of offerings, matched by `externalId` "
        "(required on each): new keys are added, given ones updated, keyed ones left out cancelled.",
    )
    offered_by_provider_ids: Optional[list[strawberry.ID]] = strawberry.field(
        default=None,
        description="Delivery partners: other providers (global IDs) that deliver this listing besides its owner, "
        "in the order to show them (at most 20); replaces the list, `[]` clears it.",
    )

    def to_changes(self, problems: list[Problem]) -> ListingChanges:
        """The domain change; IDs that are not skills' or providers' are added to ``problems``."""
        return ListingChanges(
            external_id=self.external_id,
            credential_type=_value(self.credential_type),
            title=text_map(self.title),
            description=text_map(self.description),
            learning_outcomes=None if self.learning_outcomes is None else [text_map(o) for o in self.learning_outcomes],
            skill_ids=_decoded(self.skill_ids, "Skill", "skillIds", problems),
            occupation_codes=self.occupation_codes,
            level_framework=self.level.framework if self.level else None,
            level_value=self.level.value if self.level else None,
            level_reason=self.level_reason,
            workload_hours=self.workload_hours,
            ects_credits=self.ects_credits,
            duration_weeks=self.duration_weeks,
            delivery_mode=_value(self.delivery_mode),
            pace=_value(self.pace),
            languages=None if self.languages is None else list(self.languages),
            regions=self.regions,
            cost_amount=self.cost.amount if self.cost else None,
            cost_currency=self.cost.currency if self.cost else None,
            assessment=_value(self.assessment),
            quality_assurance=self.quality_assurance,
            prerequisites=text_map(self.prerequisites),
            audiences=None if self.audiences is None else [a.value for a in self.audiences],
            funding_programs=self.funding_programs,
            url=self.url,
            ctid=self.ctid,
            keywords=words_map(self.keywords),
            cost_items=None if self.cost_items is None else [item.to_domain() for item in self.cost_items],
            offered_by_provider_ids=_decoded(
                self.offered_by_provider_ids, "Provider", "offeredByProviderIds", problems
            ),
        )


def _decoded(global_ids: list[strawberry.ID] | None, type_name: str, field: str, problems: list[Problem]):
    """The UUIDs of ``global_ids`` (None stays None); IDs not of ``type_name`` go to ``problems``."""
    if global_ids is None:
        return None
    decoded = [ids.decode_as(raw, type_name) for raw in global_ids]
    problems += [
        Problem(("credential", field), "INVALID_ID", f"{raw!r} is not the ID of a {type_name}.")
        for raw, found in zip(global_ids, decoded)
        if found is None
    ]
    return [found for found in decoded if found is not None]


def _value(enum_value):
    return None if enum_value is None else enum_value.value


@strawberry.input(description="A new draft listing.")
class CreateCredentialInput:
    provider_id: Optional[strawberry.ID] = strawberry.field(
        default=None,
        description="The provider the listing is for: operators and publishers name it; a provider's client acts "
        "for its own.",
    )
    credential: CredentialInput = strawberry.field(description="The listing's fields.")


@strawberry.input(description="Changes to a listing, made only if nobody changed it since `expectedVersion`.")
class UpdateCredentialInput:
    id: strawberry.ID = strawberry.field(description="The listing's global ID.")
    expected_version: int = strawberry.field(description="The `version` you read; a newer one gives CONFLICT.")
    credential: CredentialInput = strawberry.field(description="The fields to change.")


@strawberry.input(description="Publish a listing (it must have every mandatory element).")
class PublishCredentialInput:
    id: strawberry.ID = strawberry.field(description="The listing's global ID.")
    expected_version: Optional[int] = strawberry.field(
        default=None, description="When given, publish only this version."
    )


@strawberry.input(description="Retire a listing: no longer offered, still resolvable by ID.")
class RetireCredentialInput:
    id: strawberry.ID = strawberry.field(description="The listing's global ID.")
    reason: str = strawberry.field(description="Why it is retired (kept in its history).")


@strawberry.input(description="Move a listing to another provider (a merger, a consortium handing it to a member).")
class TransferCredentialInput:
    id: strawberry.ID = strawberry.field(description="The listing's global ID.")
    to_provider_id: strawberry.ID = strawberry.field(description="The receiving provider's global ID.")
    reason: str = strawberry.field(description="Why it moves (kept in its history).")


@strawberry.input(description="Link one of your listings to another listing (stackability).")
class LinkCredentialsInput:
    from_id: strawberry.ID = strawberry.field(description="Your listing (the link's source).")
    to_id: strawberry.ID = strawberry.field(description="The listing it is part of, prepares for, or supersedes.")
    kind: CredentialLinkKind = strawberry.field(description="How the source relates to the target.")


@strawberry.input(description="Record that your authority recognises a published listing.")
class RecognizeCredentialInput:
    credential_id: strawberry.ID = strawberry.field(description="The recognised listing.")
    kind: RecognitionKind = strawberry.field(description="What the recognition says.")
    valid_from: Optional[date] = strawberry.field(default=None, description="First day in force; today when left out.")
    valid_until: Optional[date] = strawberry.field(
        default=None, description="Last day in force; open-ended when left out."
    )
    note: Optional[str] = strawberry.field(default=None, description="A note, e.g. the programme it falls under.")
    authority_id: Optional[strawberry.ID] = strawberry.field(
        default=None, description="The authority; only operators need it (an authority's client acts for its own)."
    )


@strawberry.input(description="Revoke a recognition your authority made. It stays on record, marked revoked.")
class RevokeRecognitionInput:
    id: strawberry.ID = strawberry.field(description="The recognition's global ID.")
    reason: str = strawberry.field(description="Why it is revoked.")
