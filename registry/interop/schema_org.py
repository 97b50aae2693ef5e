"""schema.org for listing pages, what search engines read: an `EducationalOccupationalCredential`,
or for a COURSE listing a `Course` whose `educationalCredentialAwarded` is that credential
(offerings will be its `CourseInstance`s)."""

from __future__ import annotations

from typing import Any

from registry.interop.listing_view import ListingView

CATEGORIES = {
    "MICRO_CREDENTIAL": "Micro-credential",
    "DIGITAL_BADGE": "Digital badge",
    "CERTIFICATE": "Certificate",
    "COURSE": "Course",
}


def to_jsonld(view: ListingView) -> dict[str, Any]:
    """The listing as a schema.org credential, or as a Course awarding it."""
    if view.listing.credential_type == "COURSE":
        return {"@context": "https://schema.org", **_course(view)}
    return {"@context": "https://schema.org", **_credential(view)}


def _course(view: ListingView) -> dict[str, Any]:
    c = view.listing
    course: dict[str, Any] = {
        "@type": "Course",
        "@id": view.id,
        "name": view.text(c.title),
        "description": view.text(c.description) or view.text(c.title),
        "url": c.url,
        "inLanguage": c.languages,
        "provider": _provider(view),
        "teaches": [view.text(s.label) for s in view.skills],
        "educationalCredentialAwarded": _credential(view, f"{view.id}#credential"),
    }
    if view.hours is not None:
        course["timeRequired"] = view.hours
    if c.prerequisites:
        course["coursePrerequisites"] = view.text(c.prerequisites)
    return course


def _provider(view: ListingView) -> dict[str, Any]:
    return {
        "@type": "EducationalOrganization",
        "@id": view.uri("Provider", view.provider.id),
        "name": view.text(view.provider.name),
    }


def _credential(view: ListingView, iri: str | None = None) -> dict[str, Any]:
    c = view.listing
    document: dict[str, Any] = {
        "@type": "EducationalOccupationalCredential",
        "@id": iri or view.id,
        "name": view.text(c.title),
        "description": view.text(c.description) or view.text(c.title),
        "credentialCategory": CATEGORIES[c.credential_type],
        "url": c.url,
        "inLanguage": c.languages,
        "provider": _provider(view),
        "teaches": [view.text(s.label) for s in view.skills],
    }
    if view.hours is not None:
        document["timeRequired"] = view.hours
    if c.level_framework:
        document["educationalLevel"] = f"{c.level_framework} {c.level_value}"
    if c.cost_amount is not None:
        document["offers"] = {"@type": "Offer", "price": c.cost_amount, "priceCurrency": c.cost_currency}
    if view.recognitions:
        document["recognizedBy"] = [
            {"@type": "Organization", "@id": view.uri("RecognitionAuthority", a.id), "name": view.text(a.name)}
            for _, a in view.recognitions
        ]
    if c.regions:
        document["validIn"] = [{"@type": "AdministrativeArea", "name": region} for region in c.regions]
    return document
