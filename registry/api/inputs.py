"""GraphQL input types of the read API and their translation into domain values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Collection, Optional
from uuid import UUID

import strawberry

from registry.api.enums import (
    Audience,
    CredentialStatus,
    CredentialType,
    DeliveryMode,
    Pace,
    RecognitionKind,
    ScheduleTiming,
    values,
)
from registry.api.errors import BadUserInput
from registry.api.scalars import LanguageTag
from registry.domain import ids
from registry.domain.currency import DEFAULT_STALE_AFTER_DAYS
from registry.domain.errors import Problem
from registry.domain.search import CredentialFilter as DomainFilter
from registry.domain.search import Near, check_filter
from registry.domain.storable import calendar_problem
from registry.interop.gazetteer import resolve

MAX_PLACE = 200  # longer than any Canadian municipality's name with its province


@strawberry.input(description="A range of calendar dates; either end may be left open.")
class DateRange:
    from_: Optional[date] = strawberry.field(default=None, name="from", description="The first day, if any.")
    to: Optional[date] = strawberry.field(default=None, description="The last day, if any.")


@strawberry.input(
    description="Near a place: its coordinates, or its name or postal code (give one of them), within a distance."
)
class NearInput:
    latitude: Optional[float] = strawberry.field(default=None, description="Latitude (WGS 84), with `longitude`.")
    longitude: Optional[float] = strawberry.field(default=None, description="Longitude (WGS 84), with `latitude`.")
    place: Optional[str] = strawberry.field(
        default=None,
        description="Instead of coordinates: a Canadian municipality (`Sudbury, ON`, `Trois-Rivières (Québec)`; "
        "English or French, accents ignored) or postal code (`P3E 2C6`, or its first three characters `P3E`).",
    )
    within_km: float = strawberry.field(description="The distance, in kilometres (above 0, at most 2,000).")

    def to_domain(self, problems: list[Problem]) -> Near | None:
        """The point meant (the place resolved by the bundled gazetteer), or None with a problem."""
        if self.place is not None and (self.latitude is not None or self.longitude is not None):
            problems.append(Problem(("filter", "near"), "AMBIGUOUS", "Give `place` or coordinates, not both."))
            return None
        if self.place is not None:
            if len(self.place) > MAX_PLACE:
                problems.append(
                    Problem(("filter", "near", "place"), "TOO_LONG", f"`place` is at most {MAX_PLACE} characters.")
                )
                return None
            found = resolve(self.place)
            if found is None:
                problems.append(
                    Problem(
                        ("filter", "near", "place"),
                        "UNKNOWN_PLACE",
                        f"No Canadian municipality or postal code is called {self.place!r}; try 'Sudbury, ON' or 'P3E'.",
                    )
                )
                return None
            return Near(found.latitude, found.longitude, self.within_km)
        if self.latitude is None or self.longitude is None:
            problems.append(Problem(("filter", "near"), "REQUIRED", "Give `place`, or `latitude` and `longitude`."))
            return None
        return Near(self.latitude, self.longitude, self.within_km)


@strawberry.input(
    description="Conditions on a credential search. Every field is optional; set fields must all "
    "hold. An empty list is the same as leaving the field out."
)
class CredentialFilter:
    provider_ids: Optional[list[strawberry.ID]] = strawberry.field(
        default=None, description="Listings of any of these providers (global IDs)."
    )
    regions: Optional[list[str]] = strawberry.field(
        default=None, description="Listings offered in any of these regions (ISO 3166-2, e.g. `CA-ON`)."
    )
    delivery_modes: Optional[list[DeliveryMode]] = strawberry.field(
        default=None, description="Listings delivered in any of these modes."
    )
    paces: Optional[list[Pace]] = strawberry.field(default=None, description="Listings with any of these paces.")
    audiences: Optional[list[Audience]] = strawberry.field(
        default=None, description="Listings designed for any of these groups."
    )
    fundable: Optional[bool] = strawberry.field(
        default=None, description="True: eligible for at least one public funding programme; false: for none."
    )
    languages: Optional[list[LanguageTag]] = strawberry.field(
        default=None, description="Taught in any of these languages; `fr` also matches `fr-CA`."
    )
    credential_types: Optional[list[CredentialType]] = strawberry.field(
        default=None, description="Of any of these kinds."
    )
    skill_ids: Optional[list[strawberry.ID]] = strawberry.field(
        default=None, description="Teaching all of these skills (global IDs)."
    )
    occupation_codes: Optional[list[str]] = strawberry.field(
        default=None, description="Leading to any of these occupations, by code (e.g. NOC 2021 `21231`)."
    )
    max_cost: Optional[float] = strawberry.field(
        default=None, description="Costing at most this much, in the listing's currency; free listings match."
    )
    max_workload_hours: Optional[float] = strawberry.field(default=None, description="At most this many hours.")
    min_workload_hours: Optional[float] = strawberry.field(default=None, description="At least this many hours.")
    recognized: Optional[bool] = strawberry.field(
        default=None, description="True: with a recognition in force today; false: without any."
    )
    recognized_by_authority_ids: Optional[list[strawberry.ID]] = strawberry.field(
        default=None, description="Recognised (in force today) by any of these authorities (global IDs)."
    )
    recognition_kinds: Optional[list[RecognitionKind]] = strawberry.field(
        default=None, description="With a recognition of any of these kinds in force today."
    )
    updated_since: Optional[datetime] = strawberry.field(default=None, description="Changed at or after this moment.")
    min_completeness: Optional[float] = strawberry.field(
        default=None, description="Only listings at least this complete (0 to 1; see `Credential.completeness`)."
    )
    statuses: Optional[list[CredentialStatus]] = strawberry.field(
        default=None,
        description="Statuses to list; PUBLISHED when left out. DRAFT and RETIRED only take effect "
        "for the caller's own listings (or for operators).",
    )
    starts_between: Optional[DateRange] = strawberry.field(
        default=None,
        description="With an offering starting in the range; a rolling intake matches any range. "
        "The offering conditions (this one, `registrationOpen`, `near`, `scheduleTimings`, `seatsAvailable`) "
        "must hold of one offering together, and count only offerings neither cancelled nor ended (ended: its "
        "last day, its start when it has no end, is before today where it runs, as `offerings` hides it).",
    )
    registration_open: Optional[bool] = strawberry.field(
        default=None,
        description="True: with an offering taking registrations today (in its place's time zone); false: none.",
    )
    near: Optional[NearInput] = strawberry.field(
        default=None, description="With an in-person or hybrid offering within the distance (online ones never match)."
    )
    schedule_timings: Optional[list[ScheduleTiming]] = strawberry.field(
        default=None, description="With an offering at any of these times."
    )
    seats_available: Optional[bool] = strawberry.field(
        default=None, description="True: with an offering that has seats left; false: none has."
    )
    offered_by_provider_ids: Optional[list[strawberry.ID]] = strawberry.field(
        default=None,
        description="Listings any of these providers (global IDs) owns or delivers as a partner (see "
        "`Credential.offeredBy`); `providerIds` matches owners only.",
    )
    stale: Optional[bool] = strawberry.field(
        default=None,
        description="True: listings their provider has not confirmed current (nor changed) for longer than the "
        "registry allows (12 months unless it says otherwise; see `Credential.isStale`); false: the others.",
    )

    def to_domain(self, stale_after_days: int = DEFAULT_STALE_AFTER_DAYS) -> DomainFilter:
        """The domain filter, with IDs decoded; raises BadUserInput listing every problem.
        ``stale_after_days`` is the registry's policy, which `stale` applies."""
        problems: list[Problem] = []
        decoded = DomainFilter(
            provider_ids=_decode_ids(self.provider_ids, "Provider", "providerIds", problems),
            regions=tuple(self.regions) if self.regions else None,
            delivery_modes=values(self.delivery_modes),
            paces=values(self.paces),
            audiences=values(self.audiences),
            fundable=self.fundable,
            languages=tuple(self.languages) if self.languages else None,
            credential_types=values(self.credential_types),
            skill_ids=_decode_ids(self.skill_ids, "Skill", "skillIds", problems),
            occupation_codes=tuple(self.occupation_codes) if self.occupation_codes else None,
            max_cost=self.max_cost,
            max_workload_hours=self.max_workload_hours,
            min_workload_hours=self.min_workload_hours,
            recognized=self.recognized,
            recognized_by_authority_ids=_decode_ids(
                self.recognized_by_authority_ids, "RecognitionAuthority", "recognizedByAuthorityIds", problems
            ),
            recognition_kinds=values(self.recognition_kinds),
            updated_since=self.updated_since,
            statuses=values(self.statuses),
            min_completeness=self.min_completeness,
            starts_from=self.starts_between.from_ if self.starts_between else None,
            starts_to=self.starts_between.to if self.starts_between else None,
            registration_open=self.registration_open,
            near=self.near.to_domain(problems) if self.near else None,
            schedule_timings=values(self.schedule_timings),
            seats_available=self.seats_available,
            offered_by_provider_ids=_decode_ids(
                self.offered_by_provider_ids, "Provider", "offeredByProviderIds", problems
            ),
            stale=self.stale,
            stale_after_days=stale_after_days,
        )
        problems.extend(check_filter(decoded))
        problems.extend(_calendar_problems(self.updated_since, "updatedSince"))
        if problems:
            raise BadUserInput.from_problems(problems)
        return decoded


def _decode_ids(global_ids, type_name: str, field: str, problems: list[Problem]) -> tuple[UUID, ...] | None:
    if not global_ids:
        return None
    decoded = []
    for global_id in global_ids:
        uuid = ids.decode_as(global_id, type_name)
        if uuid is None:
            problems.append(Problem(("filter", field), "INVALID_ID", f"{global_id!r} is not the ID of a {type_name}."))
        else:
            decoded.append(uuid)
    return tuple(decoded)


def _calendar_problems(moment: datetime | None, field: str) -> list[Problem]:
    """A moment the DateTime scalar read but PostgreSQL would not get (its UTC instant falls
    outside years 1 to 9999, where Python's conversion stops)."""
    message = calendar_problem(field, moment) if moment is not None else None
    return [Problem(("filter", field), "OUT_OF_RANGE", message)] if message else []


def entity_representation(value: object, index: int, entity_types: Collection[str]) -> dict | BadUserInput:
    """What Federation's resolver needs of `_entities` representation ``index``: a new
    ``{"__typename", "id"}`` object; or the BadUserInput saying what is wrong with it.

    Every entity type of this subgraph is keyed by `id` alone (`@key(fields: "id")`), a global
    ID, so that is all a reference needs; other fields (a router's `@requires` extras) are
    dropped rather than passed on as arguments the references do not take.
    """
    field = ["representations", index]
    if not isinstance(value, dict):
        return BadUserInput(f"`representations[{index}]` must be an object with `__typename` and `id`.", field=field)
    type_name, global_id = value.get("__typename"), value.get("id")
    if not isinstance(type_name, str) or type_name not in entity_types:
        known = ", ".join(sorted(entity_types))
        return BadUserInput(f"`representations[{index}].__typename` must be one of: {known}.", field=field)
    if not isinstance(global_id, str):
        return BadUserInput(f"`representations[{index}].id` must be the {type_name}'s global ID.", field=field)
    return {"__typename": type_name, "id": global_id}
