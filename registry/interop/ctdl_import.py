"""Listings from CTDL JSON-LD: one object, a list of them, or an `@graph` document.

Reads the shapes `registry.interop.ctdl` writes (so an exported listing imports back as the
same listing) and the shapes of other publishers: every CTDL credential class and the
learning opportunities (ctdl_types), plain strings where CTDL has language maps (taken as
English), concepts as bare strings, objects referenced by `@id`. An object of a supported
class always becomes a row; what publication needs and it lacks, and every property (nested
ones too) not carried into the listing, are notes on the row (ctdl_report), never dropped in
silence. What a listing would refuse is left out or cut with a note (a null text, a list
longer than a listing holds: the first MAX_ITEMS are kept), so that the object still
imports; a CTID in upper case is the same CTID. Costs are read by ctdl_costs, requirements
by ctdl_requirements, durations by ctdl_workload, offerings by ctdl_offerings.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any, Iterator, TextIO

from registry.domain.enums import Audience, DeliveryMode, Pace
from registry.domain.errors import Problem
from registry.domain.ids import is_ctid
from registry.domain.listings import MAX_ITEMS, MAX_KEYWORDS, MAX_LENGTH, ListingChanges
from registry.domain.search import is_region
from registry.interop import ctdl
from registry.interop.csv_listings import Row
from registry.interop.ctdl_costs import read_costs
from registry.interop.ctdl_graph import Document, deeper_than
from registry.interop.ctdl_offerings import read_offerings
from registry.interop.ctdl_reading import Reading
from registry.interop.ctdl_report import missing_for_publication, not_carried
from registry.interop.ctdl_requirements import read_requirements
from registry.interop.ctdl_types import EXACT, is_supported, registry_type
from registry.interop.ctdl_values import concept, language_tag, many, one_text, same_text, text_lists
from registry.interop.ctdl_workload import read_workload

DELIVERY = {node: mode for mode, (node, _) in ctdl.DELIVERY.items()}
PACES = {node: pace for pace, node in ctdl.PACES.items()}
AUDIENCES = {"audience:Youth": Audience.YOUTH.value}
REGISTRY_PAGE = "https://credentialengineregistry.org/resources/"
NOC_HOSTS = ("noc.esdc.gc.ca", "noc.statcan.gc.ca")
NOC_NAME = re.compile(r"\bNOC\b|National Occupational Classification|Classification nationale des professions")
# Deeper than any CTDL document nests (about ten levels), shallow enough for the readers'
# recursion.
MAX_DEPTH = 100
ACTIVE = ("credentialStat:Active", "lifeCycle:Active")
# Read by the import's caller: the listing belongs to the provider the import is for.
PROVIDER = ("ceterms:ownedBy", "ceterms:offeredBy")
NOT_IMPORTED = {
    "ceterms:accreditedBy": "Recognitions are recorded by the recognising authority (recognizeCredential).",
    "ceterms:recognizedBy": "Recognitions are recorded by the recognising authority (recognizeCredential).",
    **{
        name: "Links between listings are made with linkCredentials once both exist."
        for name in ("ceterms:isPartOf", "ceterms:hasPart", "ceterms:isPreparationFor", "ceterms:supersedes")
    },
}


def read(source: TextIO) -> tuple[list[str], Iterator[Row]]:
    """([], a row for each of the document's own objects); a row's `line` is the object's
    position in the document."""
    too_deep = f"The document nests lists and objects more than {MAX_DEPTH} levels deep; nothing was imported."
    try:
        parsed = json.load(source)
    except RecursionError:
        return [], _failed("TOO_DEEP", too_deep)
    except ValueError as error:
        return [], _failed("NOT_JSON", f"Not JSON: {error}.")
    if deeper_than(parsed, MAX_DEPTH):
        return [], _failed("TOO_DEEP", too_deep)
    document = Document(parsed)
    objects = document.own_objects(is_supported)
    if not objects:
        return [], _failed("NO_CREDENTIAL", "The document holds no CTDL object.")
    return [], (_row(position, node, document) for position, node in objects)


def _failed(code: str, message: str) -> Iterator[Row]:
    """The one row of a document that could not be read."""
    return iter([Row(1, ListingChanges(), [Problem(("credential",), code, message)])])


def _row(position: int, node: Any, document: Document) -> Row:
    found = registry_type(node)
    if found is None:
        return Row(position, ListingChanges(), [_unsupported(node)])
    reading = Reading(document)
    try:
        changes, skills = _within_limits(*_Reader(reading).listing(node, *found), reading)
        offerings = read_offerings(node, reading)
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        problem = Problem(("credential",), "MALFORMED", f"Malformed CTDL object: {error}.")
        return Row(position, ListingChanges(), [problem])
    notes = reading.notes + missing_for_publication(changes) + not_carried(node, reading.marks, document.node)
    return Row(position, changes, reading.problems, skills, notes, offerings)


def _unsupported(node: Any) -> Problem:
    kinds = node.get("@type") if isinstance(node, dict) else None
    return Problem(
        ("credential", "@type"),
        "UNSUPPORTED_TYPE",
        f"{repr(kinds) if kinds else 'An object without @type'} is not a CTDL credential, course or learning "
        "program; nothing of it was imported.",
    )


class _Reader:
    """Reads one object of a supported class into listing changes, marking what it carries."""

    def __init__(self, reading: Reading) -> None:
        self.r = reading

    def listing(self, node: dict, credential_type: str, ctdl_class: str) -> tuple[ListingChanges, list[str]]:
        r = self.r
        self.kind_notes(node, credential_type, ctdl_class)
        self.relation_notes(node)
        required = read_requirements(node, r)
        hours, weeks = read_workload(node, required.hours, r)
        costs = read_costs(r.nodes(node.get("ceterms:estimatedCost")), r.marks)
        r.notes += costs.notes
        level_framework, level_value, level_reason = self.level(node)
        ctid = self.ctid(node)
        changes = ListingChanges(
            external_id=self.external_id(node),
            credential_type=credential_type,
            title=r.text(node, "ceterms:name"),
            description=r.text(node, "ceterms:description"),
            learning_outcomes=required.outcomes or None,
            occupation_codes=self.occupations(node),
            level_framework=level_framework,
            level_value=level_value,
            level_reason=level_reason,
            workload_hours=hours,
            duration_weeks=weeks,
            ects_credits=required.ects,
            delivery_mode=r.concept(
                node, ("ceterms:learningDeliveryType", "ceterms:deliveryType"), DELIVERY, DeliveryMode
            ),
            pace=r.concept(node, ("ceterms:learningMethodType",), PACES, Pace),
            languages=self.languages(node),
            regions=self.regions(node),
            cost_amount=costs.amount,
            cost_currency=costs.currency,
            cost_items=costs.items or None,
            assessment=required.assessment,
            quality_assurance=self.quality_assurance(node),
            prerequisites=required.prerequisites,
            audiences=self.audiences(node),
            funding_programs=self.funding(node),
            url=self.url(node, ctid),
            ctid=ctid,
            keywords=self.keywords(node),
        )
        return changes, required.skills

    def kind_notes(self, node: dict, credential_type: str, ctdl_class: str) -> None:
        """A class that is not the registry type's own; a status the import does not keep."""
        if ctdl_class not in EXACT:
            self.r.note(
                "@type", "NEAREST_TYPE", f"{ctdl_class} has no registry type; it was imported as {credential_type}."
            )
        for key in ("ceterms:credentialStatusType", "ceterms:lifeCycleStatusType"):
            status = [str(concept(v)) for v in many(self.r.take(node, key))]
            if any(s not in ACTIVE for s in status):
                self.r.note(
                    key,
                    "STATUS_NOT_IMPORTED",
                    f"{', '.join(status)}: not imported; a listing's status is its own (a draft until published).",
                )

    def relation_notes(self, node: dict) -> None:
        """Recognitions and links (not imported), the provider (the import's), and the objects
        of the graph this one refers to (not imported with it)."""
        for key, reason in NOT_IMPORTED.items():
            if self.r.take(node, key) is not None:
                self.r.note(key, "NOT_IMPORTED", reason)
        owners, deliverers = ([_agent(a) for a in many(self.r.take(node, key))] for key in PROVIDER)
        partners = [a for a in deliverers if a not in owners]
        if partners:
            self.r.note(
                "ceterms:offeredBy",
                "PARTNERS_NOT_IMPORTED",
                f"{len(partners)} organisation(s) besides the owner offer it; delivery partners are registry "
                "providers the owner names (`offeredByProviderIds`), not read from a document.",
            )
        for other in self.r.document.referred_objects(node, is_supported):
            self.r.note(
                "@graph",
                "REFERENCED_ONLY",
                f"{other.get('@type')} {one_text(other.get('ceterms:name'))!r} ({other.get('ceterms:ctid')}) is in the "
                "graph as an object this one refers to; it is not imported as a listing (import its own document).",
            )

    def ctid(self, node: dict) -> str | None:
        """The CTID: `ce-` and a UUID, which is the same in upper case (read in lower case)."""
        written = self.r.take(node, "ceterms:ctid")
        value = _ctid_spelling(written)
        if value is not None and not (isinstance(value, str) and is_ctid(value)):
            self.r.note(
                "ceterms:ctid", "INVALID_CTID", f"{value!r} is not a CTID (`ce-` and a lower-case UUID); not kept."
            )
            return None
        if value != written:
            self.r.note("ceterms:ctid", "CTID_LOWER_CASED", f"{written!r} was read as the CTID {value!r}.")
        return value

    def external_id(self, node: dict) -> str | None:
        """The publisher's identifier code, else the CTID."""
        for identifier in self.r.nodes(node.get("ceterms:identifier")):
            if isinstance(identifier, dict) and identifier.get("ceterms:identifierValueCode"):
                if same_text(identifier.get("ceterms:identifierTypeName"), ctdl.IDENTIFIER_TYPE):
                    self.r.take(identifier, "ceterms:identifierTypeName")
                return str(self.r.take(identifier, "ceterms:identifierValueCode"))
        ctid = _ctid_spelling(node.get("ceterms:ctid"))
        return ctid if isinstance(ctid, str) else None

    def url(self, node: dict, ctid: str | None) -> str | None:
        """The subject webpage (http is accepted, with a note), else the CTID's page in the
        Credential Registry."""
        pages = [p.get("@id") if isinstance(p, dict) else p for p in many(self.r.take(node, "ceterms:subjectWebpage"))]
        page = next((p for p in pages if isinstance(p, str)), None)
        if page and page.startswith("https://"):
            return page
        if page and page.startswith("http://"):
            self.r.note("ceterms:subjectWebpage", "INSECURE_URL", f"{page!r} is http; https is expected.")
            return page
        if ctid is not None:
            found = "No ceterms:subjectWebpage" if page is None else f"{page!r} is not a web address"
            self.r.note("ceterms:subjectWebpage", "PAGE_FROM_CTID", f"{found}: the page is the Credential Registry's.")
            return REGISTRY_PAGE + ctid
        self.r.problem("ceterms:subjectWebpage", "NO_PAGE", "A listing needs ceterms:subjectWebpage (or a CTID).")
        return None

    def languages(self, node: dict) -> list[str] | None:
        tags = []
        for value in many(self.r.take(node, "ceterms:inLanguage")):
            tag = language_tag(value)
            if tag is None:
                self.r.note("ceterms:inLanguage", "UNKNOWN_LANGUAGE", f"{value!r} is not a language; not imported.")
            else:
                tags.append(tag)
        return list(dict.fromkeys(tags)) or None

    def keywords(self, node: dict) -> dict[str, list[str]] | None:
        """Keywords by language: at most MAX_KEYWORDS a language, each of a keyword's length."""
        found: dict[str, list[str]] = {}
        value = self.r.take(node, "ceterms:keyword")
        lists = text_lists(value)
        self.r.no_text("ceterms:keyword", value, any(lists.values()))
        for lang, written in lists.items():
            tag, words = language_tag(lang), list(dict.fromkeys(w.strip() for w in written))
            kept = [w for w in words if 0 < len(w) <= MAX_LENGTH["keywords"]][:MAX_KEYWORDS]
            if tag is None or len(kept) < len(words):
                self.r.note(
                    "ceterms:keyword",
                    "KEYWORDS_LEFT_OUT",
                    f"Of the keywords in {lang!r}, only those of a known language, at most {MAX_KEYWORDS}, each "
                    f"1 to {MAX_LENGTH['keywords']} characters, were imported.",
                )
            if tag is not None and kept:
                found[tag] = list(dict.fromkeys(found.get(tag, []) + kept))[:MAX_KEYWORDS]
        return found or None

    def level(self, node: dict) -> tuple[str | None, str | None, str | None]:
        for item in self.r.nodes(node.get("ceterms:atLevel")):
            if not isinstance(item, dict):
                continue
            framework = one_text(item.get("ceterms:frameworkName"))
            if framework and item.get("ceterms:codedNotation"):
                self.r.marks.done(item)
                return framework, str(item["ceterms:codedNotation"]), None
            if item.get("ceterms:targetNodeDescription"):
                self.r.marks.done(item)
                return None, None, one_text(item["ceterms:targetNodeDescription"])
        return None, None, None

    def occupations(self, node: dict) -> list[str] | None:
        """NOC 2021 codes: alignments to a NOC framework (by its URI or name) with a 5-digit code."""
        codes = []
        for item in self.r.nodes(self.r.take(node, "ceterms:occupationType")):
            code = item.get("ceterms:codedNotation") if isinstance(item, dict) else None
            if _is_noc(item) and re.fullmatch(r"\d{5}", str(code)):
                codes.append(str(code))
            else:
                name = one_text(item.get("ceterms:targetNodeName")) if isinstance(item, dict) else item
                self.r.note(
                    "ceterms:occupationType",
                    "UNMAPPED_VALUE",
                    f"{code or name!r} is not a NOC 2021 occupation (a five-digit codedNotation in a framework "
                    "named NOC, or at noc.esdc.gc.ca or noc.statcan.gc.ca); not imported.",
                )
        return list(dict.fromkeys(codes)) or None

    def audiences(self, node: dict) -> list[str] | None:
        found = []
        for item in self.r.nodes(self.r.take(node, "ceterms:audienceType")):
            code = item.get("ceterms:codedNotation") if isinstance(item, dict) else None
            value = str(code) if code in Audience.__members__ else AUDIENCES.get(concept(item) or "")
            if value is None:
                self.r.note(
                    "ceterms:audienceType",
                    "UNMAPPED_VALUE",
                    f"{concept(item) or code!r} is not an audience of the registry; not imported.",
                )
            else:
                found.append(value)
        return found or None

    def regions(self, node: dict) -> list[str] | None:
        """ISO 3166 regions (or countries) of the places the credential is offered in."""
        found = []
        for profile in self.r.nodes(node.get("ceterms:offeredIn")):
            for place in self.r.nodes(profile.get("ceterms:mainJurisdiction") if isinstance(profile, dict) else None):
                if not isinstance(place, dict):
                    continue
                region = one_text(place.get("ceterms:addressRegion")) or one_text(place.get("ceterms:addressCountry"))
                if region and is_region(region):
                    found.append(region)
                    self.r.take(place, "ceterms:addressRegion")
                    self.r.take(place, "ceterms:addressCountry")
                elif region:
                    self.r.note(
                        "ceterms:offeredIn",
                        "UNMAPPED_VALUE",
                        f"{region!r} is not an ISO 3166 code such as 'CA-ON'; not imported.",
                    )
                    self.r.marks.done(place)
        return list(dict.fromkeys(found)) or None

    def funding(self, node: dict) -> list[str] | None:
        names = []
        for profile in self.r.nodes(node.get("ceterms:financialAssistance")):
            name = one_text(self.r.take(profile, "ceterms:name")) if isinstance(profile, dict) else None
            names += [name] if name else []
        return names or None

    def quality_assurance(self, node: dict) -> str | None:
        for profile in self.r.nodes(node.get("ceterms:reviewProcess")):
            if isinstance(profile, dict) and profile.get("ceterms:description"):
                return one_text(self.r.take(profile, "ceterms:description"))
        return None


def _agent(value: Any) -> Any:
    """An agent as written (an IRI, or an embedded organisation): its IRI or CTID when it has one."""
    if isinstance(value, dict):
        return value.get("@id") or value.get("ceterms:ctid") or json.dumps(value, sort_keys=True)
    return value


def _ctid_spelling(value: Any) -> Any:
    """A CTID as the registry writes it (lower case, no spaces around) when ``value`` is one
    written otherwise; else ``value``."""
    if isinstance(value, str) and value != value.strip().lower() and is_ctid(value.strip().lower()):
        return value.strip().lower()
    return value


def _within_limits(changes: ListingChanges, skills: list[str], r: Reading) -> tuple[ListingChanges, list[str]]:
    """The listing with each list cut to the items a listing holds (MAX_ITEMS), with a note
    for each list cut; and the skills (codes), likewise."""
    cut: dict[str, Any] = {
        name: _first(name, items, r)
        for name, limit in MAX_ITEMS.items()
        if len(items := getattr(changes, name) or []) > limit
    }
    return replace(changes, **cut) if cut else changes, _first("skill_ids", list(dict.fromkeys(skills)), r)


def _first(name: str, items: list[Any], r: Reading) -> list[Any]:
    limit = MAX_ITEMS[name]
    if len(items) <= limit:
        return items
    r.note(
        PROPERTY_OF[re.sub(r"_(\w)", lambda m: m[1].upper(), name)],
        "ITEMS_LEFT_OUT",
        f"The object has {len(items)} {name.replace('_ids', 's').replace('_', ' ')}; a listing holds at most {limit}: "
        f"the first {limit} were imported, {len(items) - limit} were left out.",
    )
    return items[:limit]


def _is_noc(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    framework = str(item.get("ceterms:framework") or "")
    host = re.sub(r"^https?://", "", framework).split("/")[0].lower()
    named = one_text(item.get("ceterms:frameworkName")) or ""
    return host in NOC_HOSTS or bool(NOC_NAME.search(named))


# A listing field -> the CTDL property it is read from, so reports name what the file says.
PROPERTY_OF = {
    "externalId": "ceterms:identifier",
    "credentialType": "@type",
    "title": "ceterms:name",
    "description": "ceterms:description",
    "learningOutcomes": "ceterms:requires/ceterms:targetCompetency",
    "skillIds": "ceterms:requires/ceterms:targetCompetency",
    "skills": "ceterms:requires/ceterms:targetCompetency",
    "occupationCodes": "ceterms:occupationType",
    "level": "ceterms:atLevel",
    "levelReason": "ceterms:atLevel",
    "workloadHours": "ceterms:estimatedDuration",
    "durationWeeks": "ceterms:estimatedDuration",
    "ectsCredits": "ceterms:requires/ceterms:creditValue",
    "deliveryMode": "ceterms:learningDeliveryType",
    "pace": "ceterms:learningMethodType",
    "languages": "ceterms:inLanguage",
    "regions": "ceterms:offeredIn",
    "cost": "ceterms:estimatedCost",
    "costAmount": "ceterms:estimatedCost",
    "costItems": "ceterms:estimatedCost",
    "assessment": "ceterms:requires/ceterms:targetAssessment",
    "qualityAssurance": "ceterms:reviewProcess",
    "prerequisites": "ceterms:entryCondition",
    "audiences": "ceterms:audienceType",
    "fundingPrograms": "ceterms:financialAssistance",
    "url": "ceterms:subjectWebpage",
    "ctid": "ceterms:ctid",
    "keywords": "ceterms:keyword",
}


def property_of(problem: Problem) -> str:
    """The CTDL property a problem is about (problems name listing fields or CTDL properties)."""
    name = problem.field[1] if len(problem.field) > 1 else "-"
    return PROPERTY_OF.get(str(name), str(name))
