"""European Learning Model (ELM 3): a listing as a learning achievement specification, with
the EU Council Recommendation's mandatory elements."""

from __future__ import annotations

from typing import Any

from registry.interop.listing_view import ListingView

CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
LANGUAGES = {
    "en": "ENG",
    "fr": "FRA",
    "es": "SPA",
    "de": "DEU",
    "it": "ITA",
    "pt": "POR",
    "oj": "OJI",
    "iu": "IKU",
    "cr": "CRE",
}
MODES = {"ONLINE": "online", "IN_PERSON": "inPerson", "HYBRID": "blended"}


def _language(tag: str) -> str:
    code = LANGUAGES.get(tag.split("-")[0].lower(), tag.upper())
    return f"http://publications.europa.eu/resource/authority/language/{code}"


def to_jsonld(view: ListingView) -> dict[str, Any]:
    """The listing as an ELM learning achievement specification."""
    c = view.listing
    provider = view.provider
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
        "volumeOfLearning": view.hours,
        "language": [_language(tag) for tag in c.languages],
        "mode": [f"http://data.europa.eu/snb/learning-assessment/{MODES[c.delivery_mode]}"],
        "awardingOpportunity": [
            {
                "type": "AwardingOpportunity",
                "awardingBody": [
                    {
                        "id": view.uri("Provider", provider.id),
                        "type": "Organisation",
                        "legalName": provider.name,
                        "location": [
                            {
                                "type": "Location",
                                "address": [
                                    {
                                        "type": "Address",
                                        "countryCode": "http://publications.europa.eu/resource/authority/country/CAN",
                                    }
                                ],
                                "spatialCode": provider.jurisdiction,
                            }
                        ],
                    }
                ],
                "location": provider.jurisdiction,
            }
        ],
        "provenBy": [
            {"type": "LearningAssessmentSpecification", "title": {"en": c.assessment.replace("_", " ").title()}}
        ],
        "homepage": [{"type": "WebResource", "contentURL": c.url}],
    }
    if c.level_framework == "EQF":
        document["eqfLevel"] = f"http://data.europa.eu/snb/eqf/{c.level_value}"
    elif c.level_framework:
        document["nqfLevel"] = [{"type": "Concept", "prefLabel": {"en": f"{c.level_framework} {c.level_value}"}}]
    if c.ects_credits is not None:
        document["creditPoint"] = [
            {
                "type": "CreditPoint",
                "framework": "http://data.europa.eu/snb/education-credit/ECTS",
                "point": f"{c.ects_credits:g}",
            }
        ]
    if c.quality_assurance:
        document["additionalNote"] = [
            {
                "type": "Note",
                "noteLiteral": {"en": c.quality_assurance},
                "subject": {"prefLabel": {"en": "Quality assurance"}},
            }
        ]
    return document
