"""Listings from CTDL JSON-LD: one credential object, a list of them, or an `@graph` document.

Reads the shapes `registry.interop.ctdl` writes (so an exported listing imports back as the
same listing) and the common shapes of other publishers: plain strings where CTDL has
language maps (taken as English), concept URIs as bare strings, `@graph` nodes referenced
by `@id`. Properties the registry has no field for are reported as notes, never dropped
silently; credentials of a type the registry does not list are refused.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator, TextIO

from registry.domain.enums import AssessmentType, Audience, Pace
from registry.domain.errors import Problem
from registry.domain.listings import ListingChanges
from registry.interop import ctdl
from registry.interop.csv_listings import Row

CREDENTIAL_TYPES = {
    **{v: k for k, v in ctdl.TYPES.items()},
    "ceterms:Badge": "DIGITAL_BADGE",
    "ceterms:OpenBadge": "DIGITAL_BADGE",
    "ceterms:Certification": "CERTIFICATE",
}
DELIVERY = {node: mode for mode, (node, _) in ctdl.DELIVERY.items()}
ASSESSMENT = {
    "assessMethod:Exam": "EXAM",
    "assessMethod:Artifact": "PROJECT",
    "assessMethod:Performance": "PRACTICAL_DEMONSTRATION",
}
PACES = {node: pace for pace, node in ctdl.PACES.items()}
READ = {
    "@context",
    "@id",
    "@type",
    "ceterms:ctid",
    "ceterms:name",
    "ceterms:description",
    "ceterms:subjectWebpage",
    "ceterms:inLanguage",
    "ceterms:learningDeliveryType",
    "ceterms:learningMethodType",
    "ceterms:estimatedDuration",
    "ceterms:requires",
    "ceterms:identifier",
    "ceterms:estimatedCost",
    "ceterms:atLevel",
    "ceterms:occupationType",
    "ceterms:audienceType",
    "ceterms:offeredIn",
    "ceterms:financialAssistance",
    "ceterms:reviewProcess",
    "ceterms:ownedBy",
    "ceterms:offeredBy",
    "ceterms:credentialStatusType",
}
NOT_IMPORTED = {
    "ceterms:accreditedBy": "Recognitions are recorded by the recognising authority (recognizeCredential).",
    "ceterms:recognizedBy": "Recognitions are recorded by the recognising authority (recognizeCredential).",
    "ceterms:isPartOf": "Links between listings are made with linkCredentials once both exist.",
    "ceterms:isPreparationFor": "Links between listings are made with linkCredentials once both exist.",
    "ceterms:supersedes": "Links between listings are made with linkCredentials once both exist.",
}
_DURATION = re.compile(
    r"^P(?:(?P<Y>[\d.]+)Y)?(?:(?P<M>[\d.]+)M)?(?:(?P<W>[\d.]+)W)?(?:(?P<D>[\d.]+)D)?"
    r"(?:T(?:(?P<h>[\d.]+)H)?(?:(?P<m>[\d.]+)M)?(?:(?P<s>[\d.]+)S)?)?$"
)


def read(source: TextIO) -> tuple[list[str], Iterator[Row]]:
    """([], one row per credential of the document); a row's `line` is the object's position."""
    try:
        document = json.load(source)
    except ValueError as error:
        return [], iter([Row(1, ListingChanges(), [Problem(("credential",), "NOT_JSON", f"Not JSON: {error}.")])])
    nodes = document.get("@graph", [document]) if isinstance(document, dict) else document
    nodes = nodes if isinstance(nodes, list) else [nodes]
    index = {node["@id"]: node for node in nodes if isinstance(node, dict) and isinstance(node.get("@id"), str)}
    credentials = [node for node in nodes if isinstance(node, dict) and _is_credential(node)]
    if not credentials:
        problem = Problem(("credential", "@type"), "NO_CREDENTIAL", "The document holds no ceterms credential.")
        return [], iter([Row(1, ListingChanges(), [problem])])
    return [], (_row(position, node, index) for position, node in enumerate(credentials, start=1))


def _is_credential(node: dict) -> bool:
    types = _many(node.get("@type"))
    return any(
        isinstance(t, str)
        and (
            t in CREDENTIAL_TYPES
            or t.startswith("ceterms:")
            and t.endswith(("Credential", "Certificate", "Badge", "Degree", "Diploma", "License", "Certification"))
        )
        for t in types
    )


def _row(position: int, node: dict, index: dict) -> Row:
    reader = _Reader(index)
    try:
        changes, skills = reader.listing(node)
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        problem = Problem(("credential",), "MALFORMED", f"Malformed CTDL credential: {error}.")
        return Row(position, ListingChanges(), [problem])
    notes = [
        Problem(("credential", name), "NOT_IMPORTED", reason) for name, reason in NOT_IMPORTED.items() if name in node
    ]
    notes += [
        Problem(("credential", name), "UNKNOWN_PROPERTY", f"`{name}` has no registry field; it was not imported.")
        for name in node
        if name not in READ and name not in NOT_IMPORTED
    ]
    return Row(position, changes, reader.problems, skills, notes + reader.notes)


class _Reader:
    """Reads one credential node; collects problems (the row fails) and notes (it does not)."""

    def __init__(self, index: dict) -> None:
        self.index = index
        self.problems: list[Problem] = []
        self.notes: list[Problem] = []

    def node(self, value: Any) -> Any:
        """A value, with a reference to a node of the same @graph replaced by the node."""
        if isinstance(value, dict) and set(value) == {"@id"}:
            return self.index.get(value["@id"], value)
        if isinstance(value, str) and value.startswith("_:"):
            return self.index.get(value, value)
        return value

    def nodes(self, value: Any) -> list:
        return [self.node(v) for v in _many(value)]

    def listing(self, node: dict) -> tuple[ListingChanges, list[str]]:
        earning = self.nodes(node.get("ceterms:requires"))
        competencies = [
            c
            for profile in earning
            if isinstance(profile, dict)
            for c in self.nodes(profile.get("ceterms:targetCompetency"))
        ]
        workload, weeks = self.durations(node.get("ceterms:estimatedDuration"))
        cost: dict[str, Any] = next(
            (c for c in self.nodes(node.get("ceterms:estimatedCost")) if "ceterms:price" in c), {}
        )
        level_framework, level_value, level_reason = self.level(node.get("ceterms:atLevel"))
        review: dict[str, Any] = next(iter(self.nodes(node.get("ceterms:reviewProcess"))), {})
        changes = ListingChanges(
            external_id=self.external_id(node),
            credential_type=self.credential_type(node),
            title=_text(node.get("ceterms:name")),
            description=_text(node.get("ceterms:description")),
            learning_outcomes=[
                outcome
                for c in competencies
                if not c.get("ceterms:codedNotation")
                and c.get("ceterms:targetNodeName")
                and (outcome := _text(c["ceterms:targetNodeName"]))
            ]
            or None,
            occupation_codes=self.occupations(node.get("ceterms:occupationType")),
            level_framework=level_framework,
            level_value=level_value,
            level_reason=level_reason,
            workload_hours=workload,
            duration_weeks=weeks,
            ects_credits=self.credits(earning),
            delivery_mode=self.concept(
                node.get("ceterms:learningDeliveryType"), DELIVERY, None, "learningDeliveryType"
            ),
            pace=self.concept(node.get("ceterms:learningMethodType"), PACES, Pace, "learningMethodType"),
            languages=[str(v) for v in _many(node.get("ceterms:inLanguage"))] or None,
            regions=self.regions(node.get("ceterms:offeredIn")),
            cost_amount=float(cost["ceterms:price"]) if cost else None,
            cost_currency=cost.get("ceterms:currency") if cost else None,
            assessment=self.assessment(earning),
            quality_assurance=_one_text(review.get("ceterms:description")),
            prerequisites=self.prerequisites(earning),
            audiences=self.audiences(node.get("ceterms:audienceType")),
            funding_programs=[
                name
                for f in self.nodes(node.get("ceterms:financialAssistance"))
                if (name := _one_text(f.get("ceterms:name")))
            ]
            or None,
            url=node.get("ceterms:subjectWebpage"),
        )
        skills = [str(c["ceterms:codedNotation"]) for c in competencies if c.get("ceterms:codedNotation")]
        return changes, skills

    def credential_type(self, node: dict) -> str | None:
        found = [CREDENTIAL_TYPES[t] for t in _many(node.get("@type")) if t in CREDENTIAL_TYPES]
        if not found:
            self.problems.append(
                Problem(
                    ("credential", "@type"),
                    "UNSUPPORTED_TYPE",
                    f"{node.get('@type')!r} is not one of {', '.join(CREDENTIAL_TYPES)}.",
                )
            )
        return found[0] if found else None

    def external_id(self, node: dict) -> str | None:
        for identifier in self.nodes(node.get("ceterms:identifier")):
            if isinstance(identifier, dict) and identifier.get("ceterms:identifierValueCode"):
                return str(identifier["ceterms:identifierValueCode"])
        return node.get("ceterms:ctid")

    def concept(self, value: Any, mapping: dict, enum, name: str) -> str | None:
        """The registry value of the first alignment: its codedNotation when it is one of
        ``enum``'s values, else the CTDL concept (targetNode, or a bare concept string)."""
        for item in self.nodes(value):
            code = item.get("ceterms:codedNotation") if isinstance(item, dict) else None
            if enum is not None and code in enum.__members__:
                return code
            node = item.get("ceterms:targetNode") if isinstance(item, dict) else item
            if node in mapping:
                return mapping[node]
            self.notes.append(
                Problem(
                    ("credential", f"ceterms:{name}"), "UNMAPPED_VALUE", f"{node or code!r} has no registry equivalent."
                )
            )
        return None

    def prerequisites(self, requirements: list) -> dict[str, str] | None:
        """The description of the requirement that asks for nothing to be earned or shown: entry."""
        for profile in requirements:
            if isinstance(profile, dict) and not any(
                key.startswith(("ceterms:target", "ceterms:creditValue")) for key in profile
            ):
                return _text(profile.get("ceterms:description"))
        return None

    def assessment(self, earning: list) -> str | None:
        for profile in earning:
            for assessment in self.nodes(profile.get("ceterms:targetAssessment")):
                if isinstance(assessment, dict) and "ceterms:assessmentMethodType" in assessment:
                    return self.concept(
                        assessment["ceterms:assessmentMethodType"], ASSESSMENT, AssessmentType, "assessmentMethodType"
                    )
        return None

    def audiences(self, value: Any) -> list[str] | None:
        found: list[str] = []
        for item in self.nodes(value):
            code = item.get("ceterms:codedNotation") if isinstance(item, dict) else item
            if code in Audience.__members__:
                found.append(str(code))  # a member's name: already a str
            else:
                self.notes.append(
                    Problem(
                        ("credential", "ceterms:audienceType"),
                        "UNMAPPED_VALUE",
                        f"{code!r} is not one of the registry's audiences.",
                    )
                )
        return found or None

    def durations(self, value: Any) -> tuple[float | None, float | None]:
        """(workload hours, calendar weeks): a duration in hours is effort, one in days or more is length."""
        hours = weeks = None
        for profile in self.nodes(value):
            text = profile.get("ceterms:exactDuration") or profile.get("ceterms:maximumDuration")
            parts = _DURATION.match(text or "")
            if not parts or not text or text in ("P", "PT"):
                self.problems.append(
                    Problem(
                        ("credential", "ceterms:estimatedDuration"),
                        "INVALID_DURATION",
                        f"{text!r} is not an ISO 8601 duration such as PT40H or P8W.",
                    )
                )
                continue
            n = {k: float(v) for k, v in parts.groupdict().items() if v}
            if {"Y", "M", "W", "D"} & set(n):
                weeks = round(n.get("Y", 0) * 52 + n.get("M", 0) * 52 / 12 + n.get("W", 0) + n.get("D", 0) / 7, 1)
            else:
                hours = n.get("h", 0) + n.get("m", 0) / 60 + n.get("s", 0) / 3600
        return hours, weeks

    def level(self, value: Any) -> tuple[str | None, str | None, str | None]:
        for item in self.nodes(value):
            framework = _one_text(item.get("ceterms:frameworkName"))
            if framework and item.get("ceterms:codedNotation"):
                return framework, str(item["ceterms:codedNotation"]), None
            if item.get("ceterms:targetNodeDescription"):
                return None, None, _one_text(item["ceterms:targetNodeDescription"])
        return None, None, None

    def occupations(self, value: Any) -> list[str] | None:
        codes = []
        for item in self.nodes(value):
            if item.get("ceterms:framework") in (ctdl.NOC, None) and item.get("ceterms:codedNotation"):
                codes.append(str(item["ceterms:codedNotation"]))
            else:
                self.notes.append(
                    Problem(
                        ("credential", "ceterms:occupationType"),
                        "UNMAPPED_VALUE",
                        "Only NOC 2021 occupations (codedNotation) are imported.",
                    )
                )
        return codes or None

    def credits(self, earning: list) -> float | None:
        """ECTS credits: a credit value described as ECTS (CTDL's credit units have no ECTS concept)."""
        for profile in earning:
            for value in self.nodes(profile.get("ceterms:creditValue")):
                described = [
                    _one_text(profile.get("ceterms:creditUnitTypeDescription")),
                    _one_text(value.get("schema:description")),
                ]
                if any("ECTS" in (text or "") for text in described) and "schema:value" in value:
                    return float(value["schema:value"])
                self.notes.append(
                    Problem(
                        ("credential", "ceterms:creditValue"),
                        "UNMAPPED_VALUE",
                        "Only credit values described as ECTS are imported.",
                    )
                )
        return None

    def regions(self, value: Any) -> list[str] | None:
        found = []
        for profile in self.nodes(value):
            for place in self.nodes(profile.get("ceterms:mainJurisdiction")):
                region = _one_text(place.get("ceterms:addressRegion")) or _one_text(place.get("ceterms:addressCountry"))
                if region:
                    found.append(region)
        return found or None


def _many(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> dict[str, str] | None:
    """A language map from CTDL's language map, a plain string (English) or @value objects."""
    if value is None:
        return None
    if isinstance(value, str):
        return {"en": value}
    if isinstance(value, dict) and "@value" in value:
        return {value.get("@language", "en"): str(value["@value"])}
    if isinstance(value, dict):
        return {lang: " ".join(text) if isinstance(text, list) else str(text) for lang, text in value.items()}
    if isinstance(value, list):
        merged: dict[str, str] = {}
        for item in value:
            merged.update(_text(item) or {})
        return merged or None
    raise TypeError(f"{value!r} is not text")


def _one_text(value: Any) -> str | None:
    """One string of a language map (or plain string): English, else any language."""
    text = _text(value)
    return (text.get("en") or next(iter(text.values()), None)) if text else None


# A listing field -> the CTDL property it is read from, so reports name what the file says.
PROPERTY_OF = {
    "externalId": "ceterms:identifier",
    "credentialType": "@type",
    "title": "ceterms:name",
    "description": "ceterms:description",
    "learningOutcomes": "ceterms:requires/ceterms:targetCompetency",
    "skillIds": "ceterms:requires/ceterms:targetCompetency",
    "skills": "ceterms:requires/ceterms:targetCompetency",
    "occupationCodes": "ceterms:occupationType",
    "level": "ceterms:atLevel",
    "levelReason": "ceterms:atLevel",
    "workloadHours": "ceterms:estimatedDuration",
    "durationWeeks": "ceterms:estimatedDuration",
    "ectsCredits": "ceterms:requires/ceterms:creditValue",
    "deliveryMode": "ceterms:learningDeliveryType",
    "pace": "ceterms:learningMethodType",
    "languages": "ceterms:inLanguage",
    "regions": "ceterms:offeredIn",
    "cost": "ceterms:estimatedCost",
    "costAmount": "ceterms:estimatedCost",
    "assessment": "ceterms:requires/ceterms:targetAssessment",
    "qualityAssurance": "ceterms:reviewProcess",
    "prerequisites": "ceterms:requires",
    "audiences": "ceterms:audienceType",
    "fundingPrograms": "ceterms:financialAssistance",
    "url": "ceterms:subjectWebpage",
}


def property_of(problem: Problem) -> str:
    """The CTDL property a problem is about (problems name listing fields or CTDL properties)."""
    name = problem.field[1] if len(problem.field) > 1 else "-"
    return PROPERTY_OF.get(str(name), str(name))
