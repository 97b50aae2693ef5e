"""CTDL (Credential Engine) JSON-LD for a listing: the Credential Registry's vocabulary.

Every listing field has a home in CTDL, so a listing exported here imports back unchanged
(registry.interop.ctdl_import reads these same shapes):

- pace: `ceterms:learningMethodType` (`learnMethod:SelfPaced`, `learnMethod:CohortBased`);
- assessment: an `AssessmentProfile` with `ceterms:assessmentMethodType`
  (`assessMethod:Exam`, `:Artifact`, `:Performance`) under `ceterms:requires`, which also
  holds the learning outcomes and skills (`ceterms:targetCompetency`) and ECTS credits
  (`ceterms:creditValue`, described as ECTS: CTDL's credit units have no ECTS concept);
- level: `ceterms:atLevel`; regions: `ceterms:offeredIn`; audiences: `ceterms:audienceType`;
  the places of its offerings not over: `ceterms:availableAt` (CTDL dates no credential's runs);
  funding: `ceterms:financialAssistance`; quality assurance: `ceterms:reviewProcess`;
  prerequisites: a second `ceterms:requires` profile, named as entry requirements; the
  provider's key: `ceterms:identifier`.

Every class, property (in its domain) and concept used is in the published CTDL schema,
kept in `contexts/ctdl-schema.json` and checked by the tests.

Where CTDL's concept schemes have no concept for a value (audiences, the precise
assessment type), the `CredentialAlignmentObject` names the registry's own
vocabulary (`/vocabularies/{Enum}`) and carries the value in `ceterms:codedNotation`.
"""

from __future__ import annotations

from typing import Any

from registry.domain.offerings import Place
from registry.domain.records import Credential
from registry.interop.listing_view import ListingView, plain_number

CONTEXT = "https://credreg.net/ctdl/schema/context/json"
TYPES = {
    "MICRO_CREDENTIAL": "ceterms:MicroCredential",
    "DIGITAL_BADGE": "ceterms:DigitalBadge",
    "CERTIFICATE": "ceterms:Certificate",
    "COURSE": "ceterms:CertificateOfCompletion",
}
DELIVERY = {
    "ONLINE": ("deliveryType:OnlineOnly", "Online Only"),
    "IN_PERSON": ("deliveryType:InPerson", "In Person"),
    "HYBRID": ("deliveryType:BlendedDelivery", "Blended Delivery"),
}
ASSESSMENT_METHODS = {
    "EXAM": "assessMethod:Exam",
    "PROJECT": "assessMethod:Artifact",
    "PORTFOLIO": "assessMethod:Artifact",
    "PRACTICAL_DEMONSTRATION": "assessMethod:Performance",
    "OBSERVATION": "assessMethod:Performance",
}
PACES = {"SELF_PACED": "learnMethod:SelfPaced", "SCHEDULED": "learnMethod:CohortBased"}
# A draft has no CTDL status: Probationary means "the award is provisional", not "unpublished".
STATUS = {
    "PUBLISHED": "credentialStat:Active",
    "RETIRED": "credentialStat:Deprecated",
}
# The cost types of CTDL's CostType scheme the registry's cost types are written as.
COST_TYPES = {
    "TUITION": "costType:Tuition",
    "AGGREGATE": "costType:AggregateCost",
    "APPLICATION": "costType:Application",
    "ENROLLMENT": "costType:EnrollmentFee",
    "MATERIALS": "costType:LearningResource",
    "TECHNOLOGY": "costType:TechnologyFee",
    "ASSESSMENT": "costType:StandaloneAssessment",
    "GRADUATION": "costType:GraduationFee",
    "ROOM_AND_BOARD": "costType:RoomOrResidency",
    "OTHER": "costType:MixedFees",
}
COST_TYPE_SCHEME = "https://credreg.net/ctdl/terms/CostType"
LINKS = {"PART_OF": "ceterms:isPartOf", "SUPERSEDES": "ceterms:supersedes"}
BACKLINKS = {
    "PART_OF": "ceterms:hasPart",
    "SUPERSEDES": "ceterms:supersededBy",
}  # the same links, seen from their target
NOC = "https://noc.statcan.gc.ca/"
IDENTIFIER_TYPE = {"en": "Provider's reference", "fr": "Référence de l'établissement"}
EARNING = {
    "en": "What a learner must do to earn the credential.",
    "fr": "Ce que la personne apprenante doit faire pour obtenir le titre.",
}
WORKLOAD = {"en": "Workload", "fr": "Charge de travail"}
ENTRY = {"en": "Entry requirements", "fr": "Conditions d'admission"}
ECTS = {
    "en": "ECTS credits (European Credit Transfer and Accumulation System)",
    "fr": "Crédits ECTS (système européen de transfert et d'accumulation de crédits)",
}
LENGTH = {"en": "Calendar length", "fr": "Durée calendaire"}
UNDETERMINED = "und"
TUITION = {"en": "Tuition for the whole credential", "fr": "Droits pour tout le titre"}
ASSESSMENT_NAME = {"en": "Assessment", "fr": "Évaluation"}


def vocabulary(view: ListingView, name: str) -> str:
    """The URI of one of the registry's own concept schemes (an enumeration)."""
    return f"{view.base_url.rstrip('/')}/vocabularies/{name}"


def alignment(
    framework: str | None,
    *,
    node: str | None = None,
    code: str | None = None,
    name: dict | None = None,
    description: dict | None = None,
) -> dict[str, Any]:
    """A CTDL CredentialAlignmentObject: a pointer at a concept of some framework."""
    found = {
        "ceterms:framework": framework,
        "ceterms:targetNode": node,
        "ceterms:codedNotation": code,
        "ceterms:targetNodeName": name,
        "ceterms:targetNodeDescription": description,
    }
    return {"@type": "ceterms:CredentialAlignmentObject", **{k: v for k, v in found.items() if v is not None}}


def to_jsonld(view: ListingView) -> dict[str, Any]:
    """The listing as a CTDL credential."""
    c = view.listing
    provider = view.uri("Provider", view.provider.id)
    # Texts the registry keeps without a language (quality assurance, funding programme names)
    # are tagged BCP 47 "und", undetermined: the language of instruction is no guide to theirs
    # ("Canada Training Credit" on a French listing).
    untagged = UNDETERMINED
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": view.id,
        "@type": TYPES[c.credential_type],
        "ceterms:ctid": c.ctid,
        "ceterms:name": c.title,
        "ceterms:ownedBy": [provider],
        "ceterms:offeredBy": [provider, *(view.uri("Provider", partner.id) for partner in view.partners)],
        "ceterms:subjectWebpage": c.url,
        "ceterms:inLanguage": c.languages,
        "ceterms:requires": [_earning(view), *_prerequisites(c.prerequisites)],
    }
    optional = {
        "ceterms:description": c.description,  # a draft may have none yet: left out, not made up
        "ceterms:credentialStatusType": _status(c.status),
        "ceterms:learningDeliveryType": _delivery(c.delivery_mode),
        "ceterms:learningMethodType": [alignment(vocabulary(view, "Pace"), code=c.pace, node=PACES[c.pace])]
        if c.pace
        else None,
        "ceterms:estimatedDuration": _durations(view),
        "ceterms:keyword": c.keywords,
        "ceterms:identifier": _identifier(c.external_id),
        "ceterms:estimatedCost": _cost(c),
        "ceterms:atLevel": _level(c),
        "ceterms:occupationType": [
            alignment(NOC, code=o.code, name=o.title)
            | {"ceterms:frameworkName": {"en": "National Occupational Classification 2021"}}
            for o in view.occupations
        ],
        "ceterms:audienceType": [alignment(vocabulary(view, "Audience"), code=a) for a in c.audiences],
        "ceterms:offeredIn": [_jurisdiction(region) for region in c.regions],
        "ceterms:availableAt": _places(view),
        "ceterms:financialAssistance": [
            {"@type": "ceterms:FinancialAssistanceProfile", "ceterms:name": {untagged: name}}
            for name in c.funding_programs
        ],
        "ceterms:reviewProcess": _quality_assurance(c.quality_assurance, untagged),
        "ceterms:accreditedBy": [
            view.uri("RecognitionAuthority", a.id) for r, a in view.recognitions if r.kind == "ACCREDITED"
        ],
        "ceterms:recognizedBy": [
            view.uri("RecognitionAuthority", a.id) for r, a in view.recognitions if r.kind != "ACCREDITED"
        ],
        "ceterms:isPreparationFor": _preparation(view, view.links),
        "ceterms:preparationFrom": _preparation(view, view.backlinks),
    }
    linked: dict[str, list[str]] = {}
    for names, pairs in ((LINKS, view.links), (BACKLINKS, view.backlinks)):
        for kind, other in pairs:
            if kind in names:
                linked.setdefault(names[kind], []).append(view.uri("Credential", other))
    document.update({key: value for key, value in optional.items() if value})
    document.update(linked)
    return document


def _preparation(view: ListingView, links: tuple | list) -> list[dict]:
    """PREPARES_FOR links as CTDL conditions naming the other listing (isPreparationFor from
    the preparing listing, preparationFrom from the one prepared for)."""
    return [
        {"@type": "ceterms:ConditionProfile", "ceterms:targetCredential": [view.uri("Credential", other)]}
        for kind, other in links
        if kind == "PREPARES_FOR"
    ]


def _status(status: str) -> dict[str, Any] | None:
    if status not in STATUS:
        return None
    return alignment(
        "https://credreg.net/ctdl/terms/CredentialStatus", node=STATUS[status], name={"en": status.title()}
    )


def _delivery(mode: str | None) -> list[dict[str, Any]] | None:
    if mode is None:
        return None
    node, name = DELIVERY[mode]
    return [alignment("https://credreg.net/ctdl/terms/Delivery", node=node, name={"en": name})]


def _identifier(external_id: str | None) -> list[dict] | None:
    if not external_id:
        return None
    return [
        {
            "@type": "ceterms:IdentifierValue",
            "ceterms:identifierTypeName": IDENTIFIER_TYPE,
            "ceterms:identifierValueCode": external_id,
        }
    ]


def _durations(view: ListingView) -> list[dict]:
    c = view.listing
    profiles = []
    if view.hours is not None:
        profiles.append(
            {"@type": "ceterms:DurationProfile", "ceterms:description": WORKLOAD, "ceterms:exactDuration": view.hours}
        )
    if c.duration_weeks is not None:
        profiles.append(
            {
                "@type": "ceterms:DurationProfile",
                "ceterms:description": LENGTH,
                "ceterms:exactDuration": f"P{plain_number(c.duration_weeks)}W",
            }
        )
    return profiles


def _cost(c: Credential) -> list[dict[str, Any]]:
    """The tuition (the listing's cost) and every other cost, each typed by CTDL's CostType."""
    profiles = []
    if c.cost_amount is not None:
        profiles.append(_cost_profile("TUITION", c.cost_amount, c.cost_currency, TUITION))
    profiles += [_cost_profile(i.type, i.amount, i.currency, i.description) for i in c.cost_items]
    return profiles


def _cost_profile(kind: str, amount: float, currency: str | None, description: dict | None) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "@type": "ceterms:CostProfile",
        "ceterms:directCostType": alignment(COST_TYPE_SCHEME, node=COST_TYPES[kind]),
        "ceterms:price": amount,
        "ceterms:currency": currency,
    }
    if description:
        profile["ceterms:description"] = description
    return profile


def _level(c) -> list[dict] | None:
    if c.level_framework:
        return [
            alignment(None, code=c.level_value, name={"en": f"{c.level_framework} level {c.level_value}"})
            | {"ceterms:frameworkName": {"en": c.level_framework}}
        ]
    if c.level_reason:
        return [alignment(None, name={"en": "No framework level"}, description={"en": c.level_reason})]
    return None


def _jurisdiction(region: str) -> dict:
    place = {
        "@type": "ceterms:Place",
        "ceterms:addressRegion": {"en": region},
        "ceterms:addressCountry": {"en": region.split("-")[0]},
    }
    return {"@type": "ceterms:JurisdictionProfile", "ceterms:mainJurisdiction": [place]}


def _places(view: ListingView) -> list[dict]:
    """The places of the listing's offerings not over (CTDL gives a credential places, not
    dated runs: those belong to learning opportunities)."""
    places = {o.place: None for o in view.offerings if o.place is not None and o.cancelled_at is None}
    return [_place(place) for place in places]


def _place(place: Place) -> dict[str, Any]:
    written = {
        "@type": "ceterms:Place",
        "ceterms:name": {UNDETERMINED: place.name} if place.name else None,
        "ceterms:streetAddress": {UNDETERMINED: place.street_address} if place.street_address else None,
        "ceterms:addressLocality": {UNDETERMINED: place.municipality},
        "ceterms:addressRegion": {"en": place.region},
        "ceterms:addressCountry": {"en": place.region.split("-")[0]},
        "ceterms:postalCode": place.postal_code,
        "ceterms:latitude": place.latitude,
        "ceterms:longitude": place.longitude,
    }
    return {key: value for key, value in written.items() if value is not None}


def _quality_assurance(text: str | None, lang: str) -> list[dict] | None:
    return [{"@type": "ceterms:ProcessProfile", "ceterms:description": {lang: text}}] if text else None


def _prerequisites(text: dict | None) -> list[dict]:
    return [{"@type": "ceterms:ConditionProfile", "ceterms:name": ENTRY, "ceterms:description": text}] if text else []


def _earning(view: ListingView) -> dict:
    """The ConditionProfile of earning the credential: outcomes, skills, assessment, credits."""
    c = view.listing
    competencies = [alignment(None, name=outcome) for outcome in c.learning_outcomes]
    competencies += [alignment(vocabulary(view, f"skills/{s.scheme}"), code=s.code, name=s.label) for s in view.skills]
    profile: dict[str, Any] = {"@type": "ceterms:ConditionProfile", "ceterms:description": EARNING}
    if c.assessment is not None:
        method = ASSESSMENT_METHODS.get(c.assessment)
        assessment = {
            "@type": "ceterms:AssessmentProfile",
            "ceterms:name": ASSESSMENT_NAME,
            "ceterms:assessmentMethodType": [
                alignment(vocabulary(view, "AssessmentType"), code=c.assessment, node=method)
            ],
        }
        profile["ceterms:targetAssessment"] = [assessment]
    if competencies:
        profile["ceterms:targetCompetency"] = competencies
    if c.ects_credits is not None:
        profile["ceterms:creditUnitTypeDescription"] = ECTS
        profile["ceterms:creditValue"] = [
            {
                "@type": "ceterms:ValueProfile",
                "schema:value": c.ects_credits,
                "ceterms:creditUnitType": ["creditUnit:DegreeCredit"],
                "schema:description": ECTS,
            }
        ]
    return profile
