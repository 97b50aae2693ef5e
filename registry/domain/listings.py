"""The rules a listing must follow: when it is written, and before it is published."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any, Collection, Mapping
from uuid import UUID

from registry.domain import ids
from registry.domain.conformance import mistyped_fields
from registry.domain.enums import AssessmentType, Audience, CostType, CredentialType, DeliveryMode, Pace, not_of
from registry.domain.errors import Problem
from registry.domain.ids import is_ctid
from registry.domain.language import is_language_tag
from registry.domain.records import CostItem, Credential
from registry.domain.search import is_region

CURRENCY = re.compile(r"^[A-Z]{3}$")
# A draft needs only a title and a page; what publication needs besides is check_publishable's.
REQUIRED_ON_CREATE = ("title", "url")
# Required of a listing before it is published, beyond the EU mandatory elements below: what
# a learner needs to compare listings. Another publisher's listing may come without them.
REQUIRED_TO_PUBLISH = ("workload_hours", "delivery_mode", "pace", "assessment")
# The longest text (in characters, per language) each field takes: generous for people,
# fatal for a script sending a megabyte into a title.
MAX_LENGTH = {
    "title": 300,
    "description": 10_000,
    "learning_outcomes": 1_000,
    "prerequisites": 5_000,
    "quality_assurance": 2_000,
    "url": 2_048,
    "keywords": 100,
}
MAX_KEYWORDS = 30  # per language


@dataclass(frozen=True)
class ListingChanges:
    """The fields a create or an update sets; None leaves a field as it is (or unset)."""

    external_id: str | None = None
    credential_type: str | None = None
    title: dict[str, str] | None = None
    description: dict[str, str] | None = None
    learning_outcomes: list[dict[str, str]] | None = None
    skill_ids: list[UUID] | None = None
    occupation_codes: list[str] | None = None
    level_framework: str | None = None
    level_value: str | None = None
    level_reason: str | None = None
    workload_hours: float | None = None
    ects_credits: float | None = None
    duration_weeks: float | None = None
    delivery_mode: str | None = None
    pace: str | None = None
    languages: list[str] | None = None
    regions: list[str] | None = None
    cost_amount: float | None = None
    cost_currency: str | None = None
    assessment: str | None = None
    quality_assurance: str | None = None
    prerequisites: dict[str, str] | None = None
    audiences: list[str] | None = None
    funding_programs: list[str] | None = None
    url: str | None = None
    ctid: str | None = None
    keywords: dict[str, list[str]] | None = None
    cost_items: list[CostItem] | None = None
    offered_by_provider_ids: list[UUID] | None = None  # delivery partners besides the owner; replaces the list

    def given(self) -> dict[str, Any]:
        """The fields this change sets."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _problem(path: tuple[str, ...], code: str, message: str) -> Problem:
    return Problem(("credential", *path), code, message)


def _text_problems(name: str, value: dict[str, str] | None, path: tuple[str, ...] | None = None) -> list[Problem]:
    path = path or (_camel(name),)
    if value is None:
        return []
    if not value:
        return [_problem(path, "REQUIRED", f"`{path[-1]}` needs at least one language.")]
    found = []
    for lang, text in value.items():
        if not is_language_tag(lang):
            found.append(_problem(path, "INVALID_LANGUAGE", f"{lang!r} is not a BCP 47 language tag."))
        if not text or not text.strip():
            found.append(_problem(path, "BLANK", f"`{path[-1]}` in {lang!r} is blank."))
        elif len(text) > MAX_LENGTH[name]:
            found.append(
                _problem(
                    path,
                    "TOO_LONG",
                    f"`{path[-1]}` in {lang!r} is {len(text)} characters; at most {MAX_LENGTH[name]} are allowed.",
                )
            )
    return found


def _fits(text: str, limit: int) -> bool:
    """Not blank, and at most ``limit`` characters as the database counts them (spaces included)."""
    return bool(text.strip()) and len(text) <= limit


def _range(name: str, value: float | None, low: float, high: float, *, inclusive_low: bool = True) -> list[Problem]:
    if value is None:
        return []
    if not math.isfinite(value):
        return [_problem((_camel(name),), "NOT_A_NUMBER", f"`{_camel(name)}` must be a finite number.")]
    too_low = value < low if inclusive_low else value <= low
    if too_low or value > high:
        bound = f"{'at least' if inclusive_low else 'more than'} {low:g} and at most {high:g}"
        return [_problem((_camel(name),), "OUT_OF_RANGE", f"`{_camel(name)}` must be {bound} (got {value:g}).")]
    return []


def check_changes(changes: ListingChanges, *, creating: bool) -> list[Problem]:
    """Every rule a create or update breaks; an empty list means it may be written."""
    mistyped = type_problems(changes)
    if mistyped:  # the other rules assume each field holds what its annotation says
        return mistyped
    problems: list[Problem] = []
    given = changes.given()
    if creating:
        problems += [
            _problem((_camel(n),), "REQUIRED", f"`{_camel(n)}` is required.")
            for n in REQUIRED_ON_CREATE
            if n not in given
        ]
    for name in ("title", "description", "prerequisites"):
        problems += _text_problems(name, getattr(changes, name))
    for index, outcome in enumerate(changes.learning_outcomes or []):
        problems += _text_problems("learning_outcomes", outcome, ("learningOutcomes", str(index)))
    problems += _range("workload_hours", changes.workload_hours, 0, 10000, inclusive_low=False)
    problems += _range("ects_credits", changes.ects_credits, 0, 240)
    problems += _range("duration_weeks", changes.duration_weeks, 0, 520, inclusive_low=False)
    problems += _range("cost_amount", changes.cost_amount, 0, 1_000_000)
    if changes.cost_currency is not None and not CURRENCY.fullmatch(changes.cost_currency):
        problems.append(
            _problem(
                ("cost", "currency"),
                "INVALID_CURRENCY",
                f"{changes.cost_currency!r} is not an ISO 4217 code such as 'CAD'.",
            )
        )
    for tag in changes.languages or []:
        if not is_language_tag(tag):
            problems.append(_problem(("languages",), "INVALID_LANGUAGE", f"{tag!r} is not a BCP 47 language tag."))
    for region in changes.regions or []:
        if not is_region(region):
            problems.append(
                _problem(("regions",), "INVALID_REGION", f"{region!r} is not an ISO 3166 code such as 'CA-ON'.")
            )
    if changes.url is not None and not re.fullmatch(r"^https?://[^\s/]+\S*$", changes.url):
        problems.append(_problem(("url",), "INVALID_URL", "`url` must be an http(s) URL (https is expected)."))
    if changes.ctid is not None and not is_ctid(changes.ctid):
        problems.append(
            _problem(("ctid",), "INVALID_CTID", f"{changes.ctid!r} is not a CTID: `ce-` and a lower-case UUID.")
        )
    for name in ("url", "quality_assurance"):
        value = getattr(changes, name)
        if value is not None and len(value) > MAX_LENGTH[name]:
            problems.append(
                _problem((_camel(name),), "TOO_LONG", f"`{_camel(name)}` is at most {MAX_LENGTH[name]} characters.")
            )
    if changes.level_reason is not None and not _fits(changes.level_reason, 500):
        problems.append(_problem(("levelReason",), "OUT_OF_RANGE", "`levelReason` must be 1 to 500 characters."))
    if changes.external_id is not None and not _fits(changes.external_id, 200):
        problems.append(_problem(("externalId",), "OUT_OF_RANGE", "`externalId` must be 1 to 200 characters."))
    for program in changes.funding_programs or []:
        if not program.strip() or program != program.lstrip() or len(program) > 200:
            problems.append(
                _problem(
                    ("fundingPrograms",),
                    "OUT_OF_RANGE",
                    "Each funding programme is 1 to 200 characters and starts with a letter or digit, not a space.",
                )
            )
    problems += _level_problems(changes)
    problems += _count_problems(changes)
    problems += _enum_problems(changes)
    problems += _keyword_problems(changes.keywords)
    problems += _cost_item_problems(changes.cost_items)
    if len(set(changes.offered_by_provider_ids or [])) < len(changes.offered_by_provider_ids or []):
        problems.append(_problem(("offeredByProviderIds",), "DUPLICATE", "Name each delivery partner once."))
    return problems


def partner_problems(
    changes: ListingChanges, owner_id: UUID | None, known_providers: Collection[UUID]
) -> list[Problem]:
    """The delivery partners ``changes`` names that are no provider, or the owner itself (the
    owner delivers its listing already; a partner is someone else)."""
    path = ("offeredByProviderIds",)
    problems = [
        _problem(path, "UNKNOWN_PROVIDER", f"No provider has the ID {ids.encode('Provider', partner)!r}.")
        for partner in changes.offered_by_provider_ids or []
        if partner not in known_providers
    ]
    if owner_id is not None and owner_id in (changes.offered_by_provider_ids or []):
        problems.append(
            _problem(path, "OWNER_AS_PARTNER", "The owning provider delivers its listing already; name only others.")
        )
    return problems


def check_ctid(existing: Credential | None, changes: ListingChanges, holders: Mapping[str, UUID]) -> list[Problem]:
    """A CTID names one listing for ever: it is kept once set, and no two listings share one.
    ``holders`` are the listings that hold the CTIDs asked for."""
    ctid = changes.ctid
    if ctid is None:
        return []
    if existing is not None and ctid != existing.ctid:
        return [_problem(("ctid",), "CTID_FIXED", f"A listing's CTID never changes; this one's is {existing.ctid!r}.")]
    holder = holders.get(ctid)
    if holder is not None and (existing is None or holder != existing.id):
        return [_problem(("ctid",), "DUPLICATE_CTID", f"Another listing already has the CTID {ctid!r}.")]
    return []


# The enumerated fields and the values each takes (never the API's NOT_STATED, which only
# shows that a draft lacks a value).
ENUMS: dict[str, type[StrEnum]] = {
    "credential_type": CredentialType,
    "delivery_mode": DeliveryMode,
    "pace": Pace,
    "assessment": AssessmentType,
}


def _enum_problems(changes: ListingChanges) -> list[Problem]:
    problems = [
        _problem((_camel(name),), "INVALID_VALUE", message)
        for name, enum in ENUMS.items()
        if (value := getattr(changes, name)) is not None
        for message in not_of(enum, [value])
    ]
    return problems + [_problem(("audiences",), "INVALID_VALUE", m) for m in not_of(Audience, changes.audiences or [])]


def type_problems(changes: ListingChanges) -> list[Problem]:
    """The fields whose values are not of the field's type (a number where text belongs...)."""
    return [
        _problem((_camel(name),), "INVALID_TYPE", f"`{_camel(name)}` does not hold what it should (see the format).")
        for name in mistyped_fields(changes)
    ]


def _keyword_problems(keywords: dict[str, list[str]] | None) -> list[Problem]:
    problems = []
    for lang, words in (keywords or {}).items():
        if not is_language_tag(lang):
            problems.append(_problem(("keywords",), "INVALID_LANGUAGE", f"{lang!r} is not a BCP 47 language tag."))
        if len(words) > MAX_KEYWORDS:
            problems.append(_problem(("keywords",), "TOO_MANY", f"At most {MAX_KEYWORDS} keywords per language."))
        if any(not 1 <= len(word.strip()) <= MAX_LENGTH["keywords"] for word in words):
            problems.append(
                _problem(("keywords",), "OUT_OF_RANGE", f"Each keyword is 1 to {MAX_LENGTH['keywords']} characters.")
            )
    return problems


def _cost_item_problems(items: list[CostItem] | None) -> list[Problem]:
    problems = []
    for index, item in enumerate(items or []):
        path = ("costItems", str(index))
        if item.type not in CostType.__members__:
            problems.append(_problem((*path, "type"), "INVALID_COST_TYPE", f"{item.type!r} is not a cost type."))
        if not math.isfinite(item.amount) or not 0 <= item.amount <= 1_000_000:
            problems.append(_problem((*path, "amount"), "OUT_OF_RANGE", "A cost is between 0 and 1,000,000."))
        if not CURRENCY.fullmatch(item.currency):
            problems.append(
                _problem((*path, "currency"), "INVALID_CURRENCY", f"{item.currency!r} is not an ISO 4217 code.")
            )
        problems += _text_problems("description", item.description, (*path, "description"))
    return problems


# How many items a listing's lists may hold: what a listing needs, and what bounds the cost
# of reading them (registry/api/cost.py counts these lists at these sizes).
MAX_ITEMS = {
    "skill_ids": 50,
    "occupation_codes": 30,
    "learning_outcomes": 30,
    "languages": 20,
    "regions": 20,
    "funding_programs": 20,
    "audiences": 20,
    "cost_items": 20,
    "offered_by_provider_ids": 20,
}
MAX_LINKS = 20  # links from one listing to others
MAX_BACKLINKS = 100  # links to one listing shown (links to one are not capped when written)
MAX_PATHWAY_DEPTH = 5  # how many links away a pathway looks
MAX_PATHWAY_STEPS = 100  # listings of a pathway shown, each way


def _count_problems(changes: ListingChanges) -> list[Problem]:
    return [
        _problem((_camel(name),), "TOO_MANY", f"`{_camel(name)}` holds at most {limit} items.")
        for name, limit in MAX_ITEMS.items()
        if len(getattr(changes, name) or []) > limit
    ]


def _level_problems(changes: ListingChanges) -> list[Problem]:
    problems = []
    for name, limit in (("level_framework", 80), ("level_value", 40)):
        value = getattr(changes, name)
        if value is not None and not _fits(value, limit):
            field = ("level", "framework" if name == "level_framework" else "value")
            problems.append(_problem(field, "OUT_OF_RANGE", f"`level.{field[1]}` must be 1 to {limit} characters."))
    return problems


def check_publishable(listing: Credential) -> list[Problem]:
    """What a listing must have before it is published: the EU Council Recommendation's
    mandatory listing elements, and what learners compare listings by."""
    missing = {
        **{_camel(name): getattr(listing, name) is None for name in REQUIRED_TO_PUBLISH},
        "description": not listing.description,
        "learningOutcomes": not listing.learning_outcomes,
        "level": listing.level_framework is None and not (listing.level_reason or "").strip(),
        "qualityAssurance": not (listing.quality_assurance or "").strip(),
        "languages": not listing.languages,
    }
    hints = {"level": "`level` (or a `levelReason` saying why none applies) is required before publishing."}
    return [
        _problem((name,), "REQUIRED_TO_PUBLISH", hints.get(name, f"`{name}` is required before publishing."))
        for name, absent in missing.items()
        if absent
    ]
