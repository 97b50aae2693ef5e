"""The demo's reference data: fictional providers and authorities, the registry's skills
list and a curated subset of NOC 2021 occupations (codes and English titles as
published by Statistics Canada; French titles follow the official CNP 2021 wording)."""

from __future__ import annotations

import csv
import random
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

from registry.domain.records import Authority, Occupation, Provider, Skill
from registry.domain.vocabularies import OCCUPATION_SCHEME, SKILL_SCHEME

DATA = Path(__file__).parent / "data"
CREATED = datetime(2024, 1, 15, tzinfo=timezone.utc)

# Fictional place names per province and territory; bilingual ones carry a French form.
PLACES: dict[str, list[tuple[str, str | None]]] = {
    "CA-AB": [
        ("Chinook Plains", None),
        ("Aspen Parkland", None),
        ("Foothills Crossing", None),
        ("Athabasca Reach", None),
    ],
    "CA-BC": [("Cedar Inlet", None), ("Skeena Heights", None), ("Okanagan Benchlands", None), ("Salish Shore", None)],
    "CA-MB": [("Red River Forks", "Fourche-de-la-Rivière-Rouge"), ("Whiteshell Lakes", None), ("Prairie Aster", None)],
    "CA-NB": [
        ("Fundy Tides", "Marées-de-Fundy"),
        ("Miramichi Bend", "Méandre-de-Miramichi"),
        ("Acadian Coast", "Côte-Acadienne"),
    ],
    "CA-NL": [("Avalon Harbour", None), ("Long Range", None), ("Labrador Straits", None)],
    "CA-NS": [("Cabot Shore", None), ("Minas Basin", None), ("Clare Bay", "Baie-Sainte-Marie")],
    "CA-NT": [("Great Slave", None), ("Mackenzie Delta", None)],
    "CA-NU": [("Qikiqtani Sky", None), ("Kivalliq Coast", None)],
    "CA-ON": [
        ("Georgian Shores", None),
        ("Algonquin Highlands", None),
        ("Niagara Escarpment", None),
        ("Rideau Locks", "Écluses-Rideau"),
        ("Superior North", None),
        ("Grand River Valley", None),
    ],
    "CA-PE": [("Confederation Shore", None), ("Malpeque Bay", None)],
    "CA-QC": [
        ("Fjord-du-Saguenay", "Fjord-du-Saguenay"),
        ("Laurentides-Nord", "Laurentides-Nord"),
        ("Vallée-du-Richelieu", "Vallée-du-Richelieu"),
        ("Haute-Côte", "Haute-Côte"),
        ("Eeyou Istchee", "Eeyou Istchee"),
    ],
    "CA-SK": [("Qu'Appelle Valley", None), ("Boreal Transition", None), ("Cypress Hills", None)],
    "CA-YT": [("Klondike Ridge", None), ("Kluane Range", None)],
}

PROVIDER_NAMES: dict[str, tuple[str, str]] = {
    "UNIVERSITY": ("University of {}", "Université de {}"),
    "COLLEGE": ("{} College", "Collège {}"),
    "POLYTECHNIC": ("{} Polytechnic", "Polytechnique {}"),
    "INDIGENOUS_INSTITUTE": ("{} Indigenous Institute", "Institut autochtone {}"),
    "PRIVATE_CAREER_COLLEGE": ("{} Career Institute", "Institut de carrières {}"),
    "INDUSTRY": ("{} Skills Alliance", "Alliance des compétences {}"),
    "NON_PROFIT": ("{} Community Learning Centre", "Centre d'apprentissage communautaire {}"),
    "GOVERNMENT": ("{} Public Service Academy", "École de la fonction publique {}"),
}

AUTHORITIES: list[tuple[str, str, str | None, str, str]] = [
    (
        "national-microcredential-quality-council",
        "National Micro-credential Quality Council",
        "Conseil national de la qualité des microcertifications",
        "QUALITY_ASSURANCE_AGENCY",
        "CA",
    ),
    ("ontario-skills-ministry", "Ontario Ministry of Skills Development", None, "GOVERNMENT", "CA-ON"),
    (
        "quebec-emploi-competences",
        "Quebec Ministry of Employment and Skills",
        "Ministère de l'Emploi et des Compétences du Québec",
        "GOVERNMENT",
        "CA-QC",
    ),
    ("bc-workforce-agency", "British Columbia Workforce Agency", None, "GOVERNMENT", "CA-BC"),
    (
        "electrical-trades-board",
        "Canadian Electrical Trades Board",
        "Conseil canadien des métiers de l'électricité",
        "REGULATOR",
        "CA",
    ),
    (
        "tech-industry-association",
        "Canadian Technology Industry Association",
        "Association canadienne de l'industrie technologique",
        "INDUSTRY_ASSOCIATION",
        "CA",
    ),
    (
        "health-care-employers-network",
        "Health Care Employers Network",
        "Réseau des employeurs de la santé",
        "EMPLOYER",
        "CA",
    ),
    ("alberta-apprenticeship-regulator", "Alberta Apprenticeship and Trades Regulator", None, "REGULATOR", "CA-AB"),
]


@dataclass(frozen=True)
class Topic:
    """A subject listings are built around, with its field of work."""

    domain: str
    en: str
    fr: str


@dataclass(frozen=True)
class Reference:
    """Everything listings refer to, with each skill's and occupation's field of work."""

    providers: list[Provider]
    authorities: list[Authority]
    skills: list[Skill]
    occupations: list[Occupation]
    skill_domains: dict[uuid.UUID, str]
    occupation_domains: dict[uuid.UUID, str]
    topics: list[Topic]


def _job_titles() -> dict[str, dict[str, list[str]]]:
    """code -> language -> the job titles the demo gives the occupation (noc2021-job-titles.csv)."""
    titles: dict[str, dict[str, list[str]]] = {}
    for row in _rows("noc2021-job-titles.csv"):
        titles.setdefault(row["code"], {}).setdefault(row["lang"], []).append(row["title"])
    return titles


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


def _providers(rng: random.Random) -> list[Provider]:
    kinds = list(PROVIDER_NAMES)
    found, turn = [], 0
    for jurisdiction, places in PLACES.items():
        for place_en, place_fr in places:
            kind = kinds[turn % len(kinds)]
            turn += 1
            en_pattern, fr_pattern = PROVIDER_NAMES[kind]
            name = {"en": en_pattern.format(place_en)}
            if place_fr:
                name["fr"] = fr_pattern.format(place_fr)
            if jurisdiction == "CA-QC":
                name = {"fr": fr_pattern.format(place_fr or place_en), "en": en_pattern.format(place_en)}
            slug = _slug(name["en"])
            found.append(
                Provider(_uuid(rng), slug, name, kind, jurisdiction, f"https://{slug}.example.ca", CREATED, CREATED)
            )
    return found


@cache
def reference() -> Reference:
    """The demo's reference data; always the same (its own fixed random seed)."""
    rng = random.Random(20261128)
    providers = _providers(rng)
    authorities = [
        Authority(
            _uuid(rng), slug, {"en": en, **({"fr": fr} if fr else {})}, kind, jurisdiction, f"https://{slug}.example.ca"
        )
        for slug, en, fr, kind, jurisdiction in AUTHORITIES
    ]
    skills, skill_domains = [], {}
    for row in _rows("skills.csv"):
        skill = Skill(_uuid(rng), SKILL_SCHEME, row["code"], {"en": row["en"], "fr": row["fr"]})
        skills.append(skill)
        skill_domains[skill.id] = row["domain"]
    occupations, occupation_domains = [], {}
    job_titles = _job_titles()
    for row in _rows("noc2021.csv"):
        title = {"en": row["en"], "fr": row["fr"]}
        occupation = Occupation(
            _uuid(rng), OCCUPATION_SCHEME, row["code"], title, None, job_titles.get(row["code"], {})
        )
        occupations.append(occupation)
        occupation_domains[occupation.id] = row["domain"]
    topics = [Topic(row["domain"], row["en"], row["fr"]) for row in _rows("topics.csv")]
    return Reference(providers, authorities, skills, occupations, skill_domains, occupation_domains, topics)
