"""GraphQL enums, built from the domain's enums and their value descriptions."""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import Any

import strawberry

from registry.domain import enums as domain

_TYPE_DESCRIPTIONS: dict[type[StrEnum], str] = {
    domain.CredentialStatus: "Where a listing is in its life: draft, published or retired.",
    domain.CredentialType: "The kind of credential a listing offers.",
    domain.DeliveryMode: "How learners take part: online, in person, or both.",
    domain.Pace: "Whether learners set their own pace or follow a schedule.",
    domain.AssessmentType: "How learners' achievement is assessed.",
    domain.ProviderKind: "The kind of institution that awards credentials.",
    domain.AuthorityKind: "The kind of body that recognises credentials.",
    domain.RecognitionKind: "What a recognition says about a credential.",
    domain.CredentialLinkKind: "How one listing relates to another (stackability).",
    domain.PathwayDirection: "Which way along a stack a listing lies from another.",
    domain.CredentialOrder: "Orders a search result can be sorted in. Ties are broken by ID, so pages never overlap.",
    domain.Audience: "Groups a listing is designed for or reserves places for.",
    domain.ChangeKind: "What happened to a listing in one change.",
    domain.CostType: "What a cost is for.",
    domain.HarvestSourceKind: "What a harvest source serves.",
    domain.ScheduleTiming: "When in the day or week an offering's sessions take place.",
    domain.OfferingAvailability: "Whether an offering takes registrations.",
    domain.OfferingField: "A field of an offering that `updateOffering` may empty (its `clear`).",
}


NOT_STATED = "NOT_STATED"
_NOT_STATED_DESCRIPTION = (
    "Not stated yet: only ever on a draft (another publisher's listing, imported without it); "
    "it must be stated before the listing is published. It cannot be written or filtered by."
)


def _graphql_enum(source: type[StrEnum], *, may_be_unstated: bool = False) -> Any:
    """A GraphQL copy of ``source`` with its value descriptions: a class made at run time,
    which mypy cannot know (Any to it). ``may_be_unstated`` adds NOT_STATED, what a listing
    field the contract makes non-null shows on a draft that lacks it."""
    descriptions = domain.VALUE_DESCRIPTIONS[source]
    members = [(m.name, strawberry.enum_value(m.value, description=descriptions[m.name])) for m in source]
    if may_be_unstated:
        members.append((NOT_STATED, strawberry.enum_value(NOT_STATED, description=_NOT_STATED_DESCRIPTION)))
    # Enum's functional API with a computed name, which mypy does not model (it wants a literal).
    copy: type[Enum] = Enum(source.__name__, members)  # type: ignore[misc]
    return strawberry.enum(copy, description=_TYPE_DESCRIPTIONS[source])


CredentialStatus = _graphql_enum(domain.CredentialStatus)
CredentialType = _graphql_enum(domain.CredentialType)
DeliveryMode = _graphql_enum(domain.DeliveryMode, may_be_unstated=True)
Pace = _graphql_enum(domain.Pace, may_be_unstated=True)
AssessmentType = _graphql_enum(domain.AssessmentType, may_be_unstated=True)
CostType = _graphql_enum(domain.CostType)
ProviderKind = _graphql_enum(domain.ProviderKind)
AuthorityKind = _graphql_enum(domain.AuthorityKind)
RecognitionKind = _graphql_enum(domain.RecognitionKind)
CredentialLinkKind = _graphql_enum(domain.CredentialLinkKind)
PathwayDirection = _graphql_enum(domain.PathwayDirection)
CredentialOrder = _graphql_enum(domain.CredentialOrder)
Audience = _graphql_enum(domain.Audience)
ChangeKind = _graphql_enum(domain.ChangeKind)
HarvestSourceKind = _graphql_enum(domain.HarvestSourceKind)
ScheduleTiming = _graphql_enum(domain.ScheduleTiming)
OfferingAvailability = _graphql_enum(domain.OfferingAvailability)
OfferingField = _graphql_enum(domain.OfferingField)


def values(items) -> tuple[str, ...] | None:
    """Plain string values of a list of GraphQL enum inputs (None stays None, [] too)."""
    if not items:
        return None
    return tuple(item.value for item in items)
