"""schema.org `EducationalOccupationalCredential`: what search engines read in listing pages."""

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
    """The listing as a schema.org credential."""
    c = view.listing
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "EducationalOccupationalCredential",
        "@id": view.id,
        "name": view.text(c.title),
        "description": view.text(c.description) or view.text(c.title),
        "credentialCategory": CATEGORIES[c.credential_type],
        "url": c.url,
        "inLanguage": c.languages,
        "timeRequired": view.hours,
        "provider": {
            "@type": "EducationalOrganization",
            "@id": view.uri("Provider", view.provider.id),
            "name": view.text(view.provider.name),
        },
        "teaches": [view.text(s.label) for s in view.skills],
    }
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
