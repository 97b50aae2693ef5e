"""CTDL (Credential Engine) JSON-LD for a listing: the Credential Registry's vocabulary."""

from __future__ import annotations

from typing import Any

from registry.interop.listing_view import ListingView

CONTEXT = "https://credreg.net/ctdl/schema/context/json"
TYPES = {"MICRO_CREDENTIAL": "ceterms:MicroCredential", "DIGITAL_BADGE": "ceterms:DigitalBadge",
         "CERTIFICATE": "ceterms:Certificate", "COURSE": "ceterms:CertificateOfCompletion"}
DELIVERY = {"ONLINE": ("deliveryType:OnlineOnly", "Online Only"), "IN_PERSON": ("deliveryType:InPerson", "In Person"),
            "HYBRID": ("deliveryType:BlendedDelivery", "Blended Delivery")}
STATUS = {"PUBLISHED": "credentialStat:Active", "RETIRED": "credentialStat:Deprecated", "DRAFT": "credentialStat:Probationary"}
LINKS = {"PART_OF": "ceterms:isPartOf", "PREPARES_FOR": "ceterms:isPreparationFor", "SUPERSEDES": "ceterms:supersedes"}
NOC = "https://noc.statcan.gc.ca/"


def ctid(view: ListingView) -> str:
    """The listing's stable CTID."""
    return f"ce-{view.listing.id}"


def _alignment(framework: str, node: str, name: str) -> dict[str, Any]:
    return {"@type": "ceterms:CredentialAlignmentObject", "ceterms:framework": framework,
            "ceterms:targetNode": node, "ceterms:targetNodeName": {"en": name}}


def to_jsonld(view: ListingView) -> dict[str, Any]:
    """The listing as a CTDL credential."""
    c = view.listing
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": view.id,
        "@type": TYPES[c.credential_type],
        "ceterms:ctid": ctid(view),
        "ceterms:name": c.title,
        "ceterms:description": c.description or c.title,
        "ceterms:ownedBy": [view.uri("Provider", view.provider.id)],
        "ceterms:offeredBy": [view.uri("Provider", view.provider.id)],
        "ceterms:subjectWebpage": c.url,
        "ceterms:inLanguage": c.languages,
        "ceterms:credentialStatusType": _alignment("https://credreg.net/ctdl/terms/CredentialStatus",
                                                   STATUS[c.status], c.status.title()),
        "ceterms:learningDeliveryType": [_alignment("https://credreg.net/ctdl/terms/Delivery", *DELIVERY[c.delivery_mode])],
        "ceterms:estimatedDuration": [{"@type": "ceterms:DurationProfile", "ceterms:exactDuration": view.hours}],
    }
    if c.cost_amount is not None:
        document["ceterms:estimatedCost"] = [{"@type": "ceterms:CostProfile", "ceterms:price": c.cost_amount,
                                              "ceterms:currency": c.cost_currency,
                                              "ceterms:description": {"en": "Tuition for the whole credential"}}]
    if view.occupations:
        document["ceterms:occupationType"] = [
            {"@type": "ceterms:CredentialAlignmentObject", "ceterms:framework": NOC,
             "ceterms:frameworkName": {"en": "National Occupational Classification 2021"},
             "ceterms:codedNotation": o.code, "ceterms:targetNodeName": o.title} for o in view.occupations]
    accredited = [view.uri("RecognitionAuthority", a.id) for r, a in view.recognitions if r.kind == "ACCREDITED"]
    recognized = [view.uri("RecognitionAuthority", a.id) for r, a in view.recognitions if r.kind != "ACCREDITED"]
    if accredited:
        document["ceterms:accreditedBy"] = accredited
    if recognized:
        document["ceterms:recognizedBy"] = recognized
    for kind, target in view.links:
        document.setdefault(LINKS[kind], []).append(view.uri("Credential", target))
    return document
