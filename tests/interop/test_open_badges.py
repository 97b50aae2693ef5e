"""The Open Badges 3.0 export is a valid `Achievement`: every demo listing's document passes
1EdTech's published JSON Schema (kept in registry/interop/contexts/open-badges/, validated with
jsonschema under the draft the schema declares, 2019-09), and it keeps the specification's
meanings: `inLanguage` is the language `name` and `description` are given in, `creditsAvailable`
(credit hours) is never the ECTS value, and an alignment's `targetType` says what its target is."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from jsonschema import Draft201909Validator
from jsonschema.validators import validator_for
from referencing import Registry, Resource

from registry.domain.language import pick
from registry.interop import open_badges
from registry.interop.listing_view import ListingView
from tests.support import demo_oracle as oracle
from tests.support.apps import SETTINGS
from tests.support.contexts import CONTEXTS
from tests.support.graphql import data

SCHEMA_FILE = CONTEXTS / "open-badges" / "achievementcredential.json"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Credential { jsonLd(format: OPEN_BADGES_3) } } }"
# AlignmentTargetType's terms for Credential Engine's items: the registry's own pages are none of them.
CREDENTIAL_ENGINE_TARGETS = {"ceasn:Competency", "ceterms:Credential", "CTDL"}


def _schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text())


@pytest.fixture(scope="module")
def achievement() -> Draft201909Validator:
    """A validator of `#/$defs/Achievement`, the schema's class for an achievement, under the
    draft the schema declares; its references resolve inside the vendored file only."""
    schema = _schema()
    draft = validator_for(schema)
    assert draft is Draft201909Validator
    draft.check_schema(schema)
    registry = Registry().with_resource(schema["$id"], Resource.from_contents(schema))
    return draft(
        {"$ref": f"{schema['$id']}#/$defs/Achievement"}, registry=registry, format_checker=draft.FORMAT_CHECKER
    )


def _in_process(listing) -> dict:
    """A listing the public API rightly does not serve (a draft), mapped in process with its
    provider, skills and occupations."""
    ref = oracle.ref()
    provider = next(p for p in ref.providers if p.id == listing.provider_id)
    skills = {s.id: s for s in ref.skills}
    occupations = {o.id: o for o in ref.occupations}
    mine = oracle.listings()
    view = ListingView(
        listing,
        provider,
        [skills[s] for c, s, _ in sorted(mine.skills, key=lambda row: row[2]) if c == listing.id],
        [occupations[o] for c, o, _ in sorted(mine.occupations, key=lambda row: row[2]) if c == listing.id],
        [],
        [],
        SETTINGS.issuer,
    )
    return open_badges.to_jsonld(view)


@pytest.fixture(scope="module")
async def documents(demo_client) -> list[tuple]:
    """(listing, its Achievement) for every demo listing: through the API for the ones the
    public may read (published, or retired after publication), in process for the others."""
    listings = oracle.listings().credentials
    public = [c for c in listings if c.published_at is not None]
    served = []
    for start in range(0, len(public), 100):
        batch = public[start : start + 100]
        ids = [oracle.gid("Credential", c.id) for c in batch]
        nodes = (await data(demo_client, NODES, {"ids": ids}))["nodes"]
        served += [(c, json.loads(node["jsonLd"])) for c, node in zip(batch, nodes)]
    return served + [(c, _in_process(c)) for c in listings if c.published_at is None]


def _errors(validator: Draft201909Validator, listing, document: dict) -> list[str]:
    """Each schema error of one listing's document: the listing, the path in the document, the
    schema's message (with the reasons of a failed `oneOf`)."""
    found = []
    for error in validator.iter_errors(document):
        reasons = "; ".join(sorted({e.message for e in error.context}))
        found.append(
            f"{listing.external_id} ({oracle.gid('Credential', listing.id)}, {listing.status})"
            f" at {error.json_path}: {error.message}" + (f" [{reasons}]" if reasons else "")
        )
    return found


def test_every_demo_listing_is_a_valid_achievement(achievement, documents):
    """1EdTech's JSON Schema for Achievement, as published: zero errors for every listing."""
    assert len(documents) == len(oracle.listings().credentials)
    errors = [e for listing, document in documents for e in _errors(achievement, listing, document)]
    assert errors == [], f"{len(errors)} schema errors, e.g.:\n" + "\n".join(errors[:40])


def test_the_schema_catches_what_it_should(achievement, documents):
    """The validation bites: a document stripped of a required property, with a language that
    is not a BCP 47 code and a non-numeric credit value, gets exactly those errors."""
    listing, document = documents[0]
    broken = {key: value for key, value in document.items() if key != "criteria"}
    broken |= {"inLanguage": "English", "creditsAvailable": "3"}
    errors = _errors(achievement, listing, broken)
    assert len(errors) == 3 and all(errors)
    assert {re.search(r" at (\S+):", e).group(1) for e in errors} == {"$", "$.inLanguage", "$.creditsAvailable"}


def test_in_language_is_the_language_of_the_texts(documents):
    """`name`, `description`, the outcomes in the criteria and the alignments' names are in
    the one language `inLanguage` names, whatever the listing's languages of instruction (a
    bilingual listing taught first in French has its English texts and says `en`)."""
    skills = {s.id: s for s in oracle.ref().skills}
    reviewer_case = 0
    for listing, document in documents:
        language = document["inLanguage"]
        where = listing.external_id
        assert document["name"] == listing.title[language], where
        assert document["description"] == listing.description.get(language, listing.title[language]), where
        assert all(f"- {o[language]}" in document["criteria"]["narrative"] for o in listing.learning_outcomes), where
        labels = {pick(skills[s].label, language) for s in oracle.skill_ids_of(listing.id)}
        assert labels <= {a["targetName"] for a in document["alignment"]}, where
        if listing.languages[0] != language and len(listing.title) > 1:
            reviewer_case += 1
            assert language == "en" and document["name"] == listing.title["en"], where
    assert reviewer_case, "no bilingual demo listing taught first in French"


def test_a_french_listing_is_a_french_achievement(documents):
    """A listing whose texts are French only is exported in French, lead-in included."""
    listing, document = next((c, d) for c, d in documents if set(c.title) == {"fr"})
    assert document["inLanguage"] == "fr" and document["name"] == listing.title["fr"]
    narrative = document["criteria"]["narrative"]
    assert narrative.startswith("Les personnes qui l'obtiennent peuvent :") and "Learners" not in narrative


def test_credits_available_is_never_the_ects_value(documents):
    """OB 3.0 defines `creditsAvailable` as credit hours; the registry keeps ECTS credits and a
    notional workload, neither of them credit hours, so the Achievement states none."""
    with_ects = [(c, d) for c, d in documents if c.ects_credits is not None]
    assert with_ects
    assert [c.external_id for c, d in documents if "creditsAvailable" in d] == []


def test_alignment_target_types_say_what_the_targets_are(documents):
    """The registry's skill and occupation pages are its own, not Credential Engine items:
    their alignments use the specification's extension form (`ext:` and a term), and no
    Credential Engine term appears."""
    registry_pages = {"ext:Skill": f"{SETTINGS.issuer}/skills/", "ext:Occupation": f"{SETTINGS.issuer}/occupations/"}
    for listing, document in documents:
        kinds = [a["targetType"] for a in document["alignment"]]
        assert not CREDENTIAL_ENGINE_TARGETS & set(kinds), listing.external_id
        assert kinds.count("ext:Skill") == len(oracle.skill_ids_of(listing.id)), listing.external_id
        assert kinds.count("ext:Occupation") == len(oracle.occupation_codes_of(listing.id)), listing.external_id
        assert all(a["targetUrl"].startswith(registry_pages[a["targetType"]]) for a in document["alignment"])


def test_the_vendored_files_are_the_ones_sources_md_records():
    sources = (CONTEXTS / "SOURCES.md").read_text()
    for path in sorted((CONTEXTS / "open-badges").iterdir()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert re.search(rf"`open-badges/{re.escape(path.name)}`.*`{digest}`", sources), path.name
