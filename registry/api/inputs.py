"""GraphQL input types of the read API and their translation into domain values."""

from __future__ import annotations

from datetime import datetime
from typing import Optional
from uuid import UUID

import strawberry

from registry.api.enums import (
    Audience,
    CredentialStatus,
    CredentialType,
    DeliveryMode,
    Pace,
    RecognitionKind,
    values,
)
from registry.api.errors import BadUserInput
from registry.api.scalars import LanguageTag
from registry.domain import ids
from registry.domain.errors import Problem
from registry.domain.search import CredentialFilter as DomainFilter
from registry.domain.search import check_filter


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

    def to_domain(self) -> DomainFilter:
        """The domain filter, with IDs decoded; raises BadUserInput listing every problem."""
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
        )
        problems.extend(check_filter(decoded))
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
