"""What an import of a CTDL object reports besides its problems: every source property that
was not carried into the listing (nested ones named by their path, such as
`ceterms:requires/ceterms:condition`), and every field publication needs that the object
lacks. The readers mark what they carry (`Marks`); whatever is left unmarked is reported."""

from __future__ import annotations

from typing import Any, Callable

from registry.domain.errors import Problem
from registry.domain.listings import ListingChanges
from registry.interop.ctdl_values import many

# Embedded objects whose properties are reported one by one: the profiles and values a
# credential holds. Anything else (an alignment, an organisation, another credential) is
# reported as the property that holds it, unless a reader took part of it.
_VALUE_TYPES = {"ceterms:IdentifierValue", "schema:QuantitativeValue", "ceterms:Place"}


class Marks:
    """The properties of an object (and of the objects inside it) that were carried into the
    listing, or that a reader reported on with a note of its own."""

    def __init__(self) -> None:
        self._keys: dict[int, set[str]] = {}
        self._whole: set[int] = set()

    def take(self, node: dict, key: str) -> Any:
        """``node[key]`` (None when absent), marked as carried."""
        if key in node:
            self._keys.setdefault(id(node), set()).add(key)
        return node.get(key)

    def done(self, node: Any) -> None:
        """Marks a whole object as carried (or as reported by a note of its own)."""
        if isinstance(node, dict):
            self._whole.add(id(node))

    def taken(self, node: dict, key: str) -> bool:
        return id(node) in self._whole or key in self._keys.get(id(node), ())

    def touched(self, node: dict) -> bool:
        return id(node) in self._whole or id(node) in self._keys


def not_carried(node: dict, marks: Marks, resolve: Callable[[Any], Any]) -> list[Problem]:
    """A note for each property of ``node`` (at any depth) that no reader took."""
    found: list[str] = []
    _walk(node, "", marks, resolve, found, set())
    return [
        Problem(("credential", path), "NOT_CARRIED", f"`{path}` has no registry field; it was not imported.")
        for path in dict.fromkeys(found)
    ]


def _walk(obj: dict, path: str, marks: Marks, resolve: Callable[[Any], Any], found: list[str], seen: set[int]) -> None:
    if id(obj) in seen:
        return
    seen.add(id(obj))
    for key, value in obj.items():
        if key.startswith("@") or marks.taken(obj, key):
            continue
        here = f"{path}/{key}" if path else key
        values = [resolve(v) for v in many(value)]
        opened = [v for v in values if _is_object(v) and (_is_profile(v) or marks.touched(v))]
        if len(opened) < len(values):
            found.append(here)
        for inner in opened:
            _walk(inner, here, marks, resolve, found, seen)


def _is_object(value: Any) -> bool:
    """A JSON-LD node (not a language map or a literal)."""
    return isinstance(value, dict) and "@value" not in value and any(":" in k or k == "@type" for k in value)


def _is_profile(node: dict) -> bool:
    """A profile or value embedded in a credential (no identity of its own)."""
    types = [t for t in many(node.get("@type")) if isinstance(t, str)]
    if "ceterms:ctid" in node:
        return False
    if not types:
        return True
    return any(t in _VALUE_TYPES or t.endswith("Profile") and t != "ceterms:LearningOpportunityProfile" for t in types)


# What publication needs (registry.domain.listings: REQUIRED_TO_PUBLISH and the EU mandatory
# elements of check_publishable): the listing field, whether a change has it, and where CTDL
# would give it.
FOR_PUBLICATION: dict[str, tuple[Callable[[ListingChanges], bool], str]] = {
    "workloadHours": (
        lambda c: c.workload_hours is not None,
        "ceterms:estimatedDuration in hours (PT40H), a ceterms:creditValue in hours (creditUnit:ClockHour or "
        "unitText 'hours') or schema:timeRequired",
    ),
    "deliveryMode": (
        lambda c: c.delivery_mode is not None,
        "ceterms:learningDeliveryType, or ceterms:deliveryType for a course or program "
        "(deliveryType:OnlineOnly, InPerson, BlendedDelivery)",
    ),
    "pace": (
        lambda c: c.pace is not None,
        "ceterms:learningMethodType (learnMethod:SelfPaced or learnMethod:CohortBased)",
    ),
    "assessment": (
        lambda c: c.assessment is not None,
        "ceterms:requires/ceterms:targetAssessment/ceterms:assessmentMethodType, or ceterms:assessmentMethodType",
    ),
    "description": (lambda c: bool(c.description), "ceterms:description"),
    "learningOutcomes": (lambda c: bool(c.learning_outcomes), "ceterms:requires/ceterms:targetCompetency"),
    "level": (
        lambda c: c.level_framework is not None or bool((c.level_reason or "").strip()),
        "ceterms:atLevel (a framework's level, or a description of why none applies)",
    ),
    "qualityAssurance": (lambda c: bool((c.quality_assurance or "").strip()), "ceterms:reviewProcess"),
    "languages": (lambda c: bool(c.languages), "ceterms:inLanguage"),
}


# The note for each field (the same for every object: one Problem each, shared).
_MISSING = {
    name: Problem(
        ("credential", name),
        "MISSING_FOR_PUBLICATION",
        f"`{name}` is needed to publish; the object has none (it would come from {source}). "
        "The listing is a draft until it has it.",
    )
    for name, (_, source) in FOR_PUBLICATION.items()
}


def missing_for_publication(changes: ListingChanges) -> list[Problem]:
    """A note for each field the registry needs to publish the listing that the object lacks
    (the listing is then imported as a draft)."""
    return [_MISSING[name] for name, (present, _) in FOR_PUBLICATION.items() if not present(changes)]
