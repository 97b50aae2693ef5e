"""schema.org for listing pages, what search engines read: an `EducationalOccupationalCredential`,
or for a COURSE listing a `Course` whose `educationalCredentialAwarded` is that credential and
whose offerings not over are its `CourseInstance`s (`hasCourseInstance`)."""

from __future__ import annotations

from typing import Any

from registry.domain.offerings import Offering, Place
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
    if view.offerings:
        course["hasCourseInstance"] = [_instance(o) for o in view.offerings]
    return course


COURSE_MODES = {"ONLINE": "online", "IN_PERSON": "onsite", "HYBRID": "blended"}


def _instance(offering: Offering) -> dict[str, Any]:
    """An offering as a schema.org CourseInstance (an Event): when, where, how, and whether on."""
    instance: dict[str, Any] = {
        "@type": "CourseInstance",
        "courseMode": COURSE_MODES[offering.delivery_mode],
        "eventStatus": "https://schema.org/EventCancelled"
        if offering.cancelled_at
        else "https://schema.org/EventScheduled",
    }
    if offering.start_date:
        instance["startDate"] = offering.start_date.isoformat()
    if offering.end_date:
        instance["endDate"] = offering.end_date.isoformat()
    if offering.languages:
        instance["inLanguage"] = offering.languages
    if offering.place:
        instance["location"] = _place(offering.place)
    if offering.schedule_timings:
        instance["courseSchedule"] = _schedule(offering.schedule_timings)
    return instance


# When sessions are, as words a Schedule's description can carry (schema.org has no daypart).
TIMINGS = {"DAYTIME": "daytime", "EVENING": "evenings", "WEEKEND": "weekends"}
WEEKEND = ["https://schema.org/Saturday", "https://schema.org/Sunday"]


def _schedule(timings: list[str]) -> dict[str, Any]:
    """A course instance's Schedule: its timings in words, and the days when it is weekends only."""
    schedule: dict[str, Any] = {"@type": "Schedule", "description": ", ".join(TIMINGS[t] for t in timings)}
    if timings == ["WEEKEND"]:
        schedule["byDay"] = WEEKEND
    return schedule


def _place(place: Place) -> dict[str, Any]:
    found: dict[str, Any] = {
        "@type": "Place",
        "address": {
            "@type": "PostalAddress",
            "addressLocality": place.municipality,
            "addressRegion": place.region,
            "addressCountry": place.region[:2],
            **({"postalCode": place.postal_code} if place.postal_code else {}),
            **({"streetAddress": place.street_address} if place.street_address else {}),
        },
    }
    if place.name:
        found["name"] = place.name
    if place.latitude is not None and place.longitude is not None:
        found["geo"] = {"@type": "GeoCoordinates", "latitude": place.latitude, "longitude": place.longitude}
    return found


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
