"""Open Badges 3.0: a listing as an `Achievement` that issuers can award.

The document validates against 1EdTech's JSON Schema for `Achievement` (tests/interop/
test_open_badges.py) and keeps the specification's meanings:

- `name`, `description` and the criteria are plain strings in OB 3.0, and `inLanguage` is the
  one language of the achievement: the texts are given in one language (English when the
  listing has it, else another it is written in) and `inLanguage` names it. The languages of
  instruction have no place in an `Achievement` and are not carried; the listing's other
  text languages would be `related` editions, each with an `id` of its own, which the registry
  does not serve.
- `creditsAvailable` is not given (see `to_jsonld`).
- The skills and occupations an achievement aligns to are the registry's own pages, not
  Credential Engine items, so their `targetType` uses the specification's extension form
  ("Extended terms MUST start with the prefix `ext:`"): `ext:Skill` and `ext:Occupation`.
"""

from __future__ import annotations

from typing import Any

from registry.domain.language import DEFAULT_LANGUAGE, pick
from registry.domain.records import Credential
from registry.interop.listing_view import ListingView

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
ACHIEVEMENT_TYPES = {
    "MICRO_CREDENTIAL": "MicroCredential",
    "DIGITAL_BADGE": "Badge",
    "CERTIFICATE": "Certificate",
    "COURSE": "Course",
}
# AlignmentTargetType extended terms (OB 3.0 "Extending Enumerated Vocabularies"), documented
# in the README: a skill of the registry's skills taxonomy, an occupation of the classification
# the registry keeps (NOC 2021), each at its page in the registry.
SKILL_TARGET = "ext:Skill"
OCCUPATION_TARGET = "ext:Occupation"
# What the criteria's narrative says before the outcomes, in the languages the registry writes.
OUTCOMES_LEAD_IN = {"en": "Learners who earn it can:", "fr": "Les personnes qui l'obtiennent peuvent :"}


def language_of(listing: Credential) -> str:
    """The language the Achievement is given in: English where the title and the description
    both have it, else the first (by tag) language they share, else the title's, by the same
    rule (``language.pick``)."""
    shared = (set(listing.title) & set(listing.description)) or set(listing.title)
    return DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in shared else min(shared)


def _narrative(outcomes: list[str], language: str) -> str | None:
    if not outcomes:
        return None  # the criteria's `id`, the provider's page, says how to earn it
    lead_in = [OUTCOMES_LEAD_IN[language]] if language in OUTCOMES_LEAD_IN else []
    return "\n".join(lead_in + [f"- {o}" for o in outcomes])


def to_jsonld(view: ListingView) -> dict[str, Any]:
    """The listing as an Open Badges 3.0 Achievement.

    No `creditsAvailable`: OB 3.0 defines it as "credit hours associated with this entity, or
    credit hours possible" (semester or quarter credit hours, says `creditsEarned`). The
    registry keeps neither: ECTS credits are another unit, and a credit hour is a value an
    institution assigns (about 45 hours of work for a semester hour, 30 for a quarter hour, by
    local rule), not one the registry may compute from `workloadHours`. ECTS credits and the
    workload are in the CTDL and ELM descriptions.
    """
    c = view.listing
    language = language_of(c)

    def text(value: dict[str, str] | None) -> str | None:
        return pick(value, language)

    name = c.title[language]
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": view.id,
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPES[c.credential_type],
        "name": name,
        "description": text(c.description) or name,
        "criteria": {"id": c.url},
        "inLanguage": language,
        "creator": {
            "id": view.uri("Provider", view.provider.id),
            "type": ["Profile"],
            "name": text(view.provider.name),
        },
        "alignment": [
            *(
                {
                    "type": ["Alignment"],
                    "targetName": text(s.label),
                    "targetCode": s.code,
                    "targetFramework": s.scheme,
                    "targetType": SKILL_TARGET,
                    "targetUrl": view.uri("Skill", s.id),
                }
                for s in view.skills
            ),
            *(
                {
                    "type": ["Alignment"],
                    "targetName": text(o.title),
                    "targetCode": o.code,
                    "targetFramework": "NOC 2021",
                    "targetType": OCCUPATION_TARGET,
                    "targetUrl": view.uri("Occupation", o.id),
                }
                for o in view.occupations
            ),
        ],
    }
    narrative = _narrative([o for o in map(text, c.learning_outcomes) if o], language)
    if narrative:
        document["criteria"]["narrative"] = narrative
    if view.provider.website:
        document["creator"]["url"] = view.provider.website
    if c.external_id:
        document["humanCode"] = c.external_id
    return document
