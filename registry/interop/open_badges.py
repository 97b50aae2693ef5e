"""Open Badges 3.0: a listing as an `Achievement` that issuers can award."""

from __future__ import annotations

from typing import Any

from registry.interop.listing_view import ListingView

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
ACHIEVEMENT_TYPES = {
    "MICRO_CREDENTIAL": "MicroCredential",
    "DIGITAL_BADGE": "Badge",
    "CERTIFICATE": "Certificate",
    "COURSE": "Course",
}


def to_jsonld(view: ListingView) -> dict[str, Any]:
    """The listing as an Open Badges 3.0 Achievement."""
    c = view.listing
    outcomes = [view.text(o) for o in c.learning_outcomes]
    narrative = (
        "Learners who earn it can:\n" + "\n".join(f"- {o}" for o in outcomes)
        if outcomes
        else f"Assessed by {c.assessment.replace('_', ' ').lower()}."
    )
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": view.id,
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPES[c.credential_type],
        "name": view.text(c.title),
        "description": view.text(c.description) or view.text(c.title),
        "criteria": {"id": c.url, "narrative": narrative},
        "inLanguage": c.languages[0] if c.languages else "en",
        "creator": {
            "id": view.uri("Provider", view.provider.id),
            "type": ["Profile"],
            "name": view.text(view.provider.name),
            "url": view.provider.website,
        },
        "alignment": [
            *(
                {
                    "type": ["Alignment"],
                    "targetName": view.text(s.label),
                    "targetCode": s.code,
                    "targetFramework": s.scheme,
                    "targetType": "ceasn:Competency",
                    "targetUrl": view.uri("Skill", s.id),
                }
                for s in view.skills
            ),
            *(
                {
                    "type": ["Alignment"],
                    "targetName": view.text(o.title),
                    "targetCode": o.code,
                    "targetFramework": "NOC 2021",
                    "targetType": "CTDL",
                    "targetUrl": view.uri("Occupation", o.id),
                }
                for o in view.occupations
            ),
        ],
    }
    if c.ects_credits is not None:
        document["creditsAvailable"] = c.ects_credits
    if c.external_id:
        document["humanCode"] = c.external_id
    if not document["creator"]["url"]:
        del document["creator"]["url"]
    return document
