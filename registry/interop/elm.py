"""European Learning Model (ELM 3): a listing as a learning achievement specification, with
the EU Council Recommendation's mandatory elements, shaped as the Commission's ELM 3 samples
shape one, and valid against its Learning Opportunity and Qualification (LOQ) SHACL shapes.

Every node has a type and an IRI: the listing's URI, the provider's, a fragment of either, or
an EU concept's. The listing's offerings not over are `LearningOpportunity` nodes (dates as
`temporal`, the registration deadline as `applicationDeadline`, their place as `location`),
which point at the specification, so the document holds them under JSON-LD's `@reverse`.
Concepts come from the EU code lists kept in `contexts/elm/` (each table names its file); a
registry value with no EU concept is left out, never given a made-up URI.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from registry.domain.enums import VALUE_DESCRIPTIONS, AssessmentType
from registry.domain.offerings import Offering, Place
from registry.domain.records import Provider
from registry.interop.listing_view import ListingView

ELM_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
# The W3C credentials context first, as in the Commission's samples: it defines `id` and
# `type`, which the ELM context does not (without it no node would have an IRI or a type).
CONTEXT = ["https://www.w3.org/2018/credentials/v1", ELM_CONTEXT]

SNB = "http://data.europa.eu/snb"
AUTHORITY = "http://publications.europa.eu/resource/authority"

# europass-modes.xsd: the modes of learning and assessment.
MODES = {
    "ONLINE": ("920fbb3cbe", "Online"),
    "IN_PERSON": ("9191af2ed9", "Presential"),
    "HYBRID": ("e92d221e4d", "Blended"),
}
# europass-learning-assessment-types.xsd. OBSERVATION (in the workplace or a simulated
# setting) has no concept there ("practical assessment" is a demonstration's), so its
# assessment has no type; NONE (participation only) has no assessment at all.
ASSESSMENT_TYPES = {
    "EXAM": ("6e6cb2cc78", "written examination"),
    "PROJECT": ("795dac4096", "project work"),
    "PORTFOLIO": ("4f03b91c0e", "portfolio"),
    "PRACTICAL_DEMONSTRATION": ("6a4db9f11d", "practical assessment"),
}
# credit-points.xsd: the registry's credits are ECTS credits.
ECTS = ("6fcec5c5af", "European Credit Transfer System")
# eqf.xsd: levels 1 to 8. Other frameworks' levels (CQF...) have no EU concept: left out.
EQF_LEVELS = {str(n): (str(n), f"Level {n}") for n in range(1, 9)}

# The Publications Office's language and country authority lists (not vendored: no code-list
# file came with them), for the languages listings use and the registry's country. Other
# languages and countries are left out; a provider outside COUNTRIES gets no location, which
# the shapes require of an organisation, so its country goes here first.
LANGUAGES = {
    "en": ("ENG", "English"),
    "fr": ("FRA", "French"),
    "es": ("SPA", "Spanish"),
    "de": ("DEU", "German"),
    "it": ("ITA", "Italian"),
    "pt": ("POR", "Portuguese"),
    "oj": ("OJI", "Ojibwa"),
    "iu": ("IKU", "Inuktitut"),
    "cr": ("CRE", "Cree"),
}
COUNTRIES = {"CA": ("CAN", "Canada")}


def _concept(scheme: str, code: str, label: str, *, scheme_iri: str | None = None) -> dict[str, Any]:
    """A concept of a code list: `{scheme}/{code}`, in the scheme the code list names."""
    return {
        "id": f"{scheme}/{code}",
        "type": "Concept",
        "inScheme": {"id": scheme_iri or f"{scheme}/25831c2", "type": "ConceptScheme"},
        "prefLabel": {"en": label},
    }


def _authority(table: str, code: str, label: str) -> dict[str, Any]:
    """A concept of one of the Publications Office's authority tables."""
    return _concept(f"{AUTHORITY}/{table}", code, label, scheme_iri=f"{AUTHORITY}/{table}")


def _duration(hours: float) -> str:
    """An xsd:duration, where only seconds may have a fraction: 1.5 hours is PT1H30M."""
    whole, minutes = divmod(round(hours * 60), 60)
    return f"PT{whole}H{minutes}M" if minutes else f"PT{whole}H"


def _location(iri: str, codes: list[str]) -> dict[str, Any] | None:
    """Where the ISO 3166 ``codes`` are: an address in their country (the shapes want one, and
    only the countries of COUNTRIES are known here), each subdivision code as an identifier."""
    known = [code for code in codes if code[:2] in COUNTRIES]
    if not known:
        return None
    country = known[0][:2]
    subdivisions = [code for code in known if code.startswith(f"{country}-")]
    return {
        "id": iri,
        "type": "Location",
        "address": [
            {"id": f"{iri}-address", "type": "Address", "countryCode": _authority("country", *COUNTRIES[country])}
        ],
        "identifier": [
            {"id": f"{iri}-{code}", "type": "Identifier", "notation": code, "schemeName": "ISO 3166-2"}
            for code in subdivisions
        ],
    }


def _languages(tags: list[str]) -> list[dict[str, Any]]:
    bases = dict.fromkeys(tag.split("-")[0].lower() for tag in tags)
    return [_authority("language", *LANGUAGES[base]) for base in bases if base in LANGUAGES]


def _awarding_body(view: ListingView) -> dict[str, Any]:
    return _organisation(view, view.provider)


def _organisation(view: ListingView, provider: Provider) -> dict[str, Any]:
    """A provider as an ELM organisation: its name and its province."""
    iri = view.uri("Provider", provider.id)
    body: dict[str, Any] = {"id": iri, "type": "Organisation", "legalName": provider.name}
    location = _location(f"{iri}#location", [provider.jurisdiction])
    if location:
        body["location"] = [location]
    return body


def _awarding_opportunity(view: ListingView) -> dict[str, Any]:
    opportunity: dict[str, Any] = {
        "id": f"{view.id}#awarding",
        "type": "AwardingOpportunity",
        "awardingBody": [_awarding_body(view)],
        "learningAchievementSpecification": view.id,
    }
    location = _location(f"{view.id}#regions", view.listing.regions)
    if location:
        opportunity["location"] = location
    return opportunity


def _assessment(view: ListingView) -> dict[str, Any] | None:
    kind = view.listing.assessment
    if kind is None or kind == AssessmentType.NONE:
        return None
    assessment: dict[str, Any] = {
        "id": f"{view.id}#assessment",
        "type": "LearningAssessmentSpecification",
        "title": {"en": kind.replace("_", " ").capitalize()},
        "description": {"en": VALUE_DESCRIPTIONS[AssessmentType][kind]},
    }
    if kind in ASSESSMENT_TYPES:
        assessment["dcType"] = [_concept(f"{SNB}/assessment", *ASSESSMENT_TYPES[kind])]
    return assessment


def _opportunity(view: ListingView, offering: Offering) -> dict[str, Any]:
    """An offering as an ELM learning opportunity of the specification: who provides it, when,
    where, how, and until when one may apply."""
    iri = f"{view.id}#offering-{offering.id}"
    languages = _languages(offering.languages or view.listing.languages) or [_authority("language", *LANGUAGES["en"])]
    opportunity: dict[str, Any] = {
        "id": iri,
        "type": "LearningOpportunity",
        "title": view.listing.title,
        "homepage": [{"id": f"{iri}-homepage", "type": "WebResource", "contentURL": view.listing.url}],
        # The owner and its delivery partners: ELM lets several organisations provide one.
        "providedBy": [view.uri("Provider", view.provider.id), *(_organisation(view, p) for p in view.partners)],
        "learningAchievementSpecification": view.id,
        "elm:defaultLanguage": languages[0],
        "mode": [_concept(f"{SNB}/learning-assessment", *MODES[offering.delivery_mode])],
    }
    if offering.start_date or offering.end_date:
        period = {"id": f"{iri}-period", "type": "PeriodOfTime"}
        if offering.start_date:
            period["startDate"] = _moment(offering.start_date, "00:00:00")
        if offering.end_date:
            period["endDate"] = _moment(offering.end_date, "23:59:59")
        opportunity["temporal"] = period
    if offering.registration_deadline:
        opportunity["applicationDeadline"] = [_moment(offering.registration_deadline, "23:59:59")]
    if offering.place is not None and offering.place.region[:2] in COUNTRIES:
        opportunity["location"] = [_place(f"{iri}-place", offering.place)]
    if offering.schedule_timings:
        timings = ", ".join(t.lower() for t in offering.schedule_timings)
        opportunity["scheduleInformation"] = _note(f"{iri}-schedule", {"en": f"Sessions: {timings}."})
    return opportunity


def _moment(day: date, time: str) -> str:
    """A calendar date as the xsd:dateTime ELM wants: the day's start or end, local time."""
    return f"{day.isoformat()}T{time}"


def _place(iri: str, place: Place) -> dict[str, Any]:
    """A campus as an ELM location: its address written out, in its country."""
    written = ", ".join(filter(None, (place.name, place.street_address, place.municipality, place.region)))
    if place.postal_code:
        written += f" {place.postal_code}"
    address = {
        "id": f"{iri}-address",
        "type": "Address",
        "fullAddress": _note(f"{iri}-full-address", {"en": written}),
        "countryCode": _authority("country", *COUNTRIES[place.region[:2]]),
    }
    return {"id": iri, "type": "Location", "address": [address]}


def _note(iri: str, text: dict[str, str]) -> dict[str, Any]:
    return {"id": iri, "type": "Note", "noteLiteral": text}


def to_jsonld(view: ListingView) -> dict[str, Any]:
    """The listing as an ELM learning achievement specification."""
    c = view.listing
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": view.id,
        "type": "LearningAchievementSpecification",
        "title": c.title,
        "description": c.description or c.title,
        "learningOutcome": [
            {"id": f"{view.id}#outcome-{n}", "type": "LearningOutcome", "title": outcome}
            for n, outcome in enumerate(c.learning_outcomes, start=1)
        ],
        "language": _languages(c.languages),
        "awardingOpportunity": [_awarding_opportunity(view)],
        "homepage": [{"id": f"{view.id}#homepage", "type": "WebResource", "contentURL": c.url}],
    }
    # A draft may not state these yet.
    if c.workload_hours is not None:
        document["volumeOfLearning"] = _duration(c.workload_hours)
    if c.delivery_mode is not None:
        document["mode"] = [_concept(f"{SNB}/learning-assessment", *MODES[c.delivery_mode])]
    # The EQF level is educationLevel: the ontology gives elm:EQFLevel to qualifications only.
    if c.level_framework == "EQF" and c.level_value in EQF_LEVELS:
        document["educationLevel"] = [_concept(f"{SNB}/eqf", *EQF_LEVELS[c.level_value])]
    if c.ects_credits is not None:
        document["creditPoint"] = [
            {
                "id": f"{view.id}#credit-points",
                "type": "CreditPoint",
                "framework": _concept(f"{SNB}/education-credit", *ECTS),
                "point": f"{c.ects_credits:g}",
            }
        ]
    assessment = _assessment(view)
    if assessment:
        document["provenBy"] = [assessment]
    if c.prerequisites:
        document["entryRequirement"] = _note(f"{view.id}#entry-requirement", c.prerequisites)
    if c.quality_assurance:
        document["additionalNote"] = [_note(f"{view.id}#quality-assurance", {"en": c.quality_assurance})]
    runs = [_opportunity(view, o) for o in view.offerings if o.cancelled_at is None]
    if runs:
        document["@reverse"] = {"learningAchievementSpecification": runs}
    return document
