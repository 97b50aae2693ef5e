"""What a credential requires: `ceterms:requires` and `ceterms:entryCondition`.

A requirement profile is an entry condition (the listing's prerequisites: its description,
then each `ceterms:condition` on a line) when it is under `ceterms:entryCondition`, or when
its name says it is one: prerequisites, entry or admission requirements (the export names
its own "Entry requirements"). Every other profile of `ceterms:requires` says what earning
the credential takes, never its prerequisites: competencies (learning outcomes, and skills
of the registry's taxonomy), the assessment, and credit values (ECTS, or hours).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from registry.domain.enums import AssessmentType
from registry.domain.vocabularies import SKILL_SCHEME
from registry.interop import ctdl
from registry.interop.ctdl_reading import Reading
from registry.interop.ctdl_values import concept, many, number, one_text, same_text, text, text_lists

ENTRY_NAME = re.compile(r"prerequisite|pre-requisite|\bentry\b|admission|préalable|pré-?requis", re.IGNORECASE)
ASSESSMENT = {
    "assessMethod:Exam": AssessmentType.EXAM.value,
    "assessMethod:Artifact": AssessmentType.PROJECT.value,
    "assessMethod:Performance": AssessmentType.PRACTICAL_DEMONSTRATION.value,
    "assessMethod:PortfolioEvaluation": AssessmentType.PORTFOLIO.value,
}
HOUR_UNITS = {"creditUnit:ClockHour", "creditUnit:ContactHour"}
HOUR_TEXT = re.compile(r"(clock |contact )?(hours?|hrs?)|HUR", re.IGNORECASE)


@dataclass
class Requirements:
    prerequisites: dict[str, str] | None = None
    outcomes: list[dict[str, str]] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    assessment: str | None = None
    ects: float | None = None
    hours: list[tuple[float, str]] = field(default_factory=list)  # (hours, the property they come from)


def read_requirements(node: dict, r: Reading) -> Requirements:
    required = [p for p in r.nodes(node.get("ceterms:requires")) if isinstance(p, dict)]
    entry = [p for p in r.nodes(node.get("ceterms:entryCondition")) if isinstance(p, dict)]
    entry += [p for p in required if _is_entry(p)]
    earning = [p for p in required if not _is_entry(p)]
    found = Requirements(prerequisites=_prerequisites(entry, r), assessment=_assessment(node, earning, r))
    for profile in earning:
        if same_text(profile.get("ceterms:description"), ctdl.EARNING):
            r.take(profile, "ceterms:description")
        _competencies(profile, r, found)
    _credit_values(node, "ceterms:creditValue", r, found)
    for profile in earning:
        _credit_values(profile, "ceterms:requires/ceterms:creditValue", r, found)
    return found


def _is_entry(profile: dict) -> bool:
    return any(ENTRY_NAME.search(name) for name in (text(profile.get("ceterms:name")) or {}).values())


def _prerequisites(profiles: list[dict], r: Reading) -> dict[str, str] | None:
    lines: dict[str, list[str]] = {}
    for profile in profiles:
        for lang, description in (text(r.take(profile, "ceterms:description")) or {}).items():
            lines.setdefault(lang, []).append(description)
        for lang, conditions in text_lists(r.take(profile, "ceterms:condition")).items():
            lines.setdefault(lang, []).extend(conditions)
        if same_text(profile.get("ceterms:name"), ctdl.ENTRY):
            r.take(profile, "ceterms:name")
    return {lang: "\n".join(texts) for lang, texts in lines.items()} or None


def _competencies(profile: dict, r: Reading, found: Requirements) -> None:
    """Skills (a code of the registry's taxonomy) and learning outcomes (a competency's name)."""
    for competency in r.nodes(profile.get("ceterms:targetCompetency")):
        if not isinstance(competency, dict):
            continue
        code = competency.get("ceterms:codedNotation")
        name = text(competency.get("ceterms:targetNodeName"))
        if code and _is_registry_skill(competency):
            found.skills.append(str(code))
            r.marks.done(competency)
        elif name:
            found.outcomes.append(name)
            r.take(competency, "ceterms:targetNodeName")


def _is_registry_skill(competency: dict) -> bool:
    """A skill of the registry's taxonomy, as the export writes it (its vocabulary's URI), or a
    bare code with no framework."""
    framework = competency.get("ceterms:framework")
    return framework is None or str(framework).rstrip("/").endswith(f"/vocabularies/skills/{SKILL_SCHEME}")


def _assessment(node: dict, earning: list[dict], r: Reading) -> str | None:
    """The assessment method of the first assessment profile of the earning requirements (or,
    for a learning opportunity, its own `ceterms:assessmentMethodType`)."""
    for profile in earning:
        for assessment in r.nodes(profile.get("ceterms:targetAssessment")):
            if isinstance(assessment, dict) and "ceterms:assessmentMethodType" in assessment:
                if same_text(assessment.get("ceterms:name"), ctdl.ASSESSMENT_NAME):
                    r.take(assessment, "ceterms:name")
                return r.concept(assessment, ("ceterms:assessmentMethodType",), ASSESSMENT, AssessmentType)
    return r.concept(node, ("ceterms:assessmentMethodType",), ASSESSMENT, AssessmentType)


def _credit_values(holder: dict, where: str, r: Reading, found: Requirements) -> None:
    """ECTS credits (a value described as ECTS: CTDL's credit units have none) and hours (a
    value in clock or contact hours, or with the unit text "hours"); other units are noted."""
    for value in r.nodes(holder.get("ceterms:creditValue")):
        if not isinstance(value, dict):
            continue
        amount = number(value.get("schema:value"))
        if amount is None and value.get("schema:value") is not None:
            r.note(where, "NOT_A_NUMBER", f"A credit value of {value['schema:value']!r} is not a number; not imported.")
            r.marks.done(value)
        elif amount is not None and _is_ects(holder, value):
            found.ects = amount if found.ects is None else found.ects
            for key in ("schema:value", "ceterms:creditUnitType", "schema:description", "schema:unitText"):
                r.take(value, key)
            r.take(holder, "ceterms:creditUnitTypeDescription")
        elif amount is not None and _in_hours(value):
            found.hours.append((amount, where))
            for key in ("schema:value", "ceterms:creditUnitType", "schema:unitText"):
                r.take(value, key)
        else:
            units = ", ".join(_units(value)) or "no unit"
            said = f"of {amount:g}" if amount is not None else "without a schema:value"
            r.note(
                where,
                "UNMAPPED_VALUE",
                f"A credit value {said} ({units}) was not imported: the registry keeps workload hours and ECTS credits.",
            )
            r.marks.done(value)


def _is_ects(holder: dict, value: dict) -> bool:
    said = [one_text(holder.get("ceterms:creditUnitTypeDescription")), one_text(value.get("schema:description"))]
    return any("ECTS" in (t or "") for t in said + _units(value))


def _in_hours(value: dict) -> bool:
    return any(unit in HOUR_UNITS or HOUR_TEXT.fullmatch(unit.strip()) for unit in _units(value))


def _units(value: dict) -> list[str]:
    """The units a credit value names: credit unit concepts, and its unit text or code."""
    units = [c for c in map(concept, many(value.get("ceterms:creditUnitType"))) if c]
    said = (_unit_text(u) for u in many(value.get("schema:unitText")) + many(value.get("schema:unitCode")))
    return units + [unit for unit in said if unit]


def _unit_text(unit: Any) -> str | None:
    """A unit as a string or language map, or as a concept (an alignment's, else its name)."""
    if isinstance(unit, dict) and ("ceterms:targetNode" in unit or "ceterms:targetNodeName" in unit):
        return concept(unit) or one_text(unit["ceterms:targetNodeName"])
    return one_text(unit)
