"""A deterministic generator of realistic listings for demos, tests and benchmarks.

The same ``seed`` and ``count`` always give the same listings (IDs included), so a
test can rely on what it finds and a benchmark can be repeated.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone

from registry.demo.offerings import offerings_of
from registry.demo.reference import Reference, Topic, reference
from registry.domain.ids import mint_ctid
from registry.domain.offerings import Offering
from registry.domain.records import Authority, Credential, CredentialLink, Provider, Recognition

# Dates are fixed, not relative to today, so that runs are reproducible.
EPOCH = datetime(2024, 9, 1, tzinfo=timezone.utc)
SPAN_DAYS = 730

EN_TITLES = ["{}", "{} Certificate", "{}: Foundations", "{}: Advanced Practice", "{} Micro-credential", "Applied {}"]
FR_TITLES = [
    "{}",
    "{} - certificat",
    "{} : les fondements",
    "{} : pratique avancée",
    "{} - microcertification",
    "{} : mise en pratique",
]
FUNDING = {
    "CA": ["Canada Training Credit", "Employment Insurance Skills Boost"],
    "CA-ON": ["Better Jobs Ontario", "OSAP for Micro-credentials"],
    "CA-BC": ["StrongerBC Future Skills Grant"],
    "CA-QC": ["Programme de formation de courte durée (PFCD)"],
    "CA-AB": ["Alberta Micro-credential Grant"],
    "CA-NS": ["Nova Scotia Skills Grant"],
}
QA = [
    (
        "Approved through the institution's program quality review.",
        "Approuvé dans le cadre de l'examen de la qualité des programmes de l'établissement.",
    ),
    (
        "Developed with an industry advisory committee and reviewed annually.",
        "Élaboré avec un comité consultatif de l'industrie et révisé chaque année.",
    ),
    ("Meets the provincial micro-credential framework.", "Conforme au cadre provincial des microcertifications."),
]
LEVEL_FRAMEWORKS = [("EQF", ["3", "4", "5", "6"]), ("CQF", ["4", "5", "6"])]
AUDIENCES = [
    "YOUTH",
    "NEWCOMERS",
    "INDIGENOUS_LEARNERS",
    "WOMEN",
    "MID_CAREER_WORKERS",
    "PERSONS_WITH_DISABILITIES",
    "LOW_INCOME_WORKERS",
]
RECOGNITION_KINDS = ["ENDORSED", "ACCREDITED", "APPROVED_FOR_FUNDING", "INDUSTRY_RECOGNIZED", "CREDIT_TRANSFER"]
ASSESSMENTS = ["EXAM", "PROJECT", "PORTFOLIO", "PRACTICAL_DEMONSTRATION", "OBSERVATION"]


@dataclass
class DemoListings:
    """Generated listings with what hangs off them."""

    credentials: list[Credential] = field(default_factory=list)
    skills: list[tuple[uuid.UUID, uuid.UUID, int]] = field(default_factory=list)  # credential, skill, position
    occupations: list[tuple[uuid.UUID, uuid.UUID, int]] = field(
        default_factory=list
    )  # credential, occupation, position
    links: list[CredentialLink] = field(default_factory=list)
    recognitions: list[Recognition] = field(default_factory=list)
    offerings: list[Offering] = field(default_factory=list)
    partners: list[tuple[uuid.UUID, uuid.UUID, int]] = field(default_factory=list)  # credential, provider, position


class _Generator:
    def __init__(self, ref: Reference, seed: int, today: date) -> None:
        self.ref, self.today = ref, today
        self.rng = random.Random(seed)
        self.seed = seed
        self.skills_by_domain = self._group(ref.skills, ref.skill_domains)
        self.occupations_by_domain = self._group(ref.occupations, ref.occupation_domains)
        self.out = DemoListings()
        self.by_provider_domain: dict[tuple[uuid.UUID, str], list[Credential]] = {}
        # Each provider teaches in a few fields, so its listings can stack into each other.
        domains = sorted({t.domain for t in ref.topics})
        focus = random.Random(seed * 7919 + 1)
        self.topics_of = {
            p.id: [t for t in ref.topics if t.domain in set(focus.sample(domains, 3))] for p in ref.providers
        }

    @staticmethod
    def _group(items, domains) -> dict[str, list]:
        grouped: dict[str, list] = {}
        for item in items:
            grouped.setdefault(domains[item.id], []).append(item)
        return grouped

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def listing(self, index: int) -> None:
        rng = self.rng
        provider = rng.choice(self.ref.providers)
        topic = rng.choice(self.topics_of[provider.id])
        bilingual = rng.random() < {"CA-QC": 0.5, "CA-NB": 0.9}.get(provider.jurisdiction, 0.3)
        french_first = provider.jurisdiction == "CA-QC"
        pattern = rng.randrange(len(EN_TITLES))
        title = self._text(
            EN_TITLES[pattern].format(topic.en), FR_TITLES[pattern].format(topic.fr), bilingual, french_first
        )
        skills = self._pick(self.skills_by_domain[topic.domain], 2, 5) + self._pick(self.skills_by_domain["core"], 0, 2)
        occupations = self._pick(self.occupations_by_domain.get(topic.domain, []), 1, 3)
        delivery = rng.choices(["ONLINE", "HYBRID", "IN_PERSON"], weights=[45, 25, 30])[0]
        hours = float(rng.choice([6, 10, 12, 15, 20, 24, 30, 36, 40, 45, 60, 80, 90, 120, 150, 180, 240, 300]))
        status = rng.choices(["PUBLISHED", "DRAFT", "RETIRED"], weights=[90, 6, 4])[0]
        created = EPOCH + timedelta(days=rng.randrange(SPAN_DAYS), seconds=rng.randrange(86400))
        published = created + timedelta(days=rng.randrange(1, 30)) if status != "DRAFT" else None
        retired = (
            published + timedelta(days=rng.randrange(30, 200))
            if published is not None and status == "RETIRED"
            else None
        )
        credential_id = self.uuid()
        credential = Credential(
            id=credential_id,
            ctid=mint_ctid(credential_id),
            provider_id=provider.id,
            external_id=f"demo-{self.seed}-{index:06d}",
            status=status,
            credential_type=rng.choices(
                ["MICRO_CREDENTIAL", "DIGITAL_BADGE", "CERTIFICATE", "COURSE"], weights=[60, 15, 15, 10]
            )[0],
            title=title,
            description=self._description(topic, provider, delivery, hours, bilingual, french_first),
            learning_outcomes=[self._outcome(skill.label, bilingual, french_first) for skill in skills[:4]],
            **self._level(),
            workload_hours=hours,
            ects_credits=round(hours / 27, 1) if rng.random() < 0.3 else None,
            duration_weeks=float(max(1, round(hours / rng.choice([3, 5, 8, 10])))),
            delivery_mode=delivery,
            pace="SELF_PACED" if delivery == "ONLINE" and rng.random() < 0.6 else "SCHEDULED",
            languages=(["fr", "en"] if bilingual else ["fr"])
            if french_first
            else (["en", "fr"] if bilingual and rng.random() < 0.4 else ["en"]),
            regions=self._regions(provider, delivery),
            **self._cost(hours),
            assessment=rng.choice(ASSESSMENTS) if rng.random() < 0.97 else "NONE",
            quality_assurance=rng.choice(QA)[1 if french_first else 0],
            prerequisites=self._text(
                "None beyond basic digital literacy.",
                "Aucun, sauf des compétences numériques de base.",
                bilingual,
                french_first,
            )
            if rng.random() < 0.4
            else None,
            audiences=sorted(self._pick(AUDIENCES, 0, 2)),
            funding_programs=self._funding(provider),
            url=f"{provider.website}/programs/{index}",
            version={"DRAFT": 1, "PUBLISHED": 2, "RETIRED": 3}[status],
            created_at=created,
            updated_at=retired or published or created,
            published_at=published,
            retired_at=retired,
        )
        credential = replace(credential, last_verified_at=last_confirmed(credential, self.seed, self.today))
        self.out.credentials.append(credential)
        self.out.skills += [(credential.id, s.id, n) for n, s in enumerate(skills)]
        self.out.occupations += [(credential.id, o.id, n) for n, o in enumerate(occupations)]
        self._link(credential, provider, topic)
        before = len(self.out.recognitions)
        self._recognize(credential, topic)
        recognised = len(self.out.recognitions) > before
        codes = {o.code for o in occupations}
        self.out.recognitions += care_recognitions(
            credential, codes, recognised, provider, self.ref.authorities, self.seed
        )
        self.out.offerings += offerings_of(credential, provider.jurisdiction, self.seed, self.today)
        partners = delivery_partners(credential, provider, self.ref.providers, self.seed)
        self.out.partners += [(credential.id, partner.id, n) for n, partner in enumerate(partners)]

    def _text(self, en: str, fr: str, bilingual: bool, french_first: bool) -> dict[str, str]:
        if bilingual:
            return {"en": en, "fr": fr}
        return {"fr": fr} if french_first else {"en": en}

    def _pick(self, items: list, low: int, high: int) -> list:
        return self.rng.sample(items, min(len(items), self.rng.randint(low, high)))

    def _description(
        self, topic: Topic, provider: Provider, delivery: str, hours: float, bilingual: bool, french_first: bool
    ) -> dict[str, str]:
        mode_en = {"ONLINE": "online", "HYBRID": "in a hybrid format", "IN_PERSON": "in person"}[delivery]
        mode_fr = {"ONLINE": "en ligne", "HYBRID": "en formule hybride", "IN_PERSON": "en présentiel"}[delivery]
        en = (
            f"A {hours:g}-hour program in {topic.en.lower()} offered {mode_en} by {provider.name['en']}. "
            "Learners practise on real workplace tasks and finish with an assessed credential employers recognise."
        )
        fr = (
            f"Un programme de {hours:g} heures en {topic.fr.lower()} offert {mode_fr} par "
            f"{provider.name.get('fr', provider.name['en'])}. Les personnes apprenantes s'exercent sur des tâches "
            "réelles et obtiennent une attestation évaluée reconnue par les employeurs."
        )
        return self._text(en, fr, bilingual, french_first)

    def _outcome(self, label: dict[str, str], bilingual: bool, french_first: bool) -> dict[str, str]:
        return self._text(
            f"Apply {label['en'].lower()} in workplace situations",
            f"Mettre en pratique : {label['fr'].lower()}",
            bilingual,
            french_first,
        )

    def _level(self) -> dict:
        if self.rng.random() < 0.25:
            return {"level_framework": None, "level_value": None}
        framework, levels = self.rng.choice(LEVEL_FRAMEWORKS)
        return {"level_framework": framework, "level_value": self.rng.choice(levels)}

    def _cost(self, hours: float) -> dict:
        if self.rng.random() < 0.3:
            return {"cost_amount": None, "cost_currency": None}
        per_hour = self.rng.uniform(8, 40)
        return {"cost_amount": float(max(50, round(hours * per_hour / 5) * 5)), "cost_currency": "CAD"}

    def _regions(self, provider: Provider, delivery: str) -> list[str]:
        regions = {provider.jurisdiction}
        if delivery == "ONLINE":
            regions.update(
                self.rng.sample(sorted({p.jurisdiction for p in self.ref.providers}), self.rng.randint(0, 4))
            )
        return sorted(regions)

    def _funding(self, provider: Provider) -> list[str]:
        options = FUNDING["CA"] + FUNDING.get(provider.jurisdiction, [])
        return sorted(self._pick(options, 0, 2))

    def _link(self, credential: Credential, provider: Provider, topic: Topic) -> None:
        siblings = self.by_provider_domain.setdefault((provider.id, topic.domain), [])
        if siblings and self.rng.random() < 0.4:
            target = self.rng.choice(siblings)
            kind = "SUPERSEDES" if target.status == "RETIRED" else self.rng.choice(["PART_OF", "PREPARES_FOR"])
            self.out.links.append(CredentialLink(credential.id, target.id, kind))
        siblings.append(credential)

    def _recognize(self, credential: Credential, topic: Topic) -> None:
        if credential.status == "DRAFT" or self.rng.random() > 0.35:
            return
        for authority in self._pick(self.ref.authorities, 1, 2):
            start = (credential.published_at or credential.created_at).date() + timedelta(
                days=self.rng.randrange(0, 60)
            )
            roll = self.rng.random()
            until = date(2025, 6, 30) if roll < 0.08 else (date(2028, 12, 31) if roll < 0.5 else None)
            if until is not None and until < start:
                until = None
            revoked = roll > 0.97
            self.out.recognitions.append(
                Recognition(
                    id=self.uuid(),
                    credential_id=credential.id,
                    authority_id=authority.id,
                    kind=self.rng.choice(RECOGNITION_KINDS),
                    valid_from=start,
                    valid_until=until,
                    note=f"{topic.en} - reviewed {start.year}",
                    created_at=datetime.combine(start, datetime.min.time(), timezone.utc),
                    revoked_at=datetime.combine(start, datetime.min.time(), timezone.utc) + timedelta(days=90)
                    if revoked
                    else None,
                )
            )


def last_confirmed(listing: Credential, seed: int, today: date) -> datetime:
    """When the demo provider last confirmed a listing current: about one in ten not for over
    a year (stale, unless written since), the others within the last ten months; never before
    its last write, which confirms it too. A generator of its own, so the listings stay the same."""
    rng = random.Random(f"{seed}:{listing.external_id}:confirmed")
    days = rng.randrange(370, 700) if rng.random() < 0.1 else rng.randrange(0, 300)
    noon = datetime.combine(today, time(12), tzinfo=timezone.utc)
    return max(listing.updated_at, noon - timedelta(days=days))


# Care aides' training is what provinces most often recognise (Ontario's personal support worker
# programme standard, Quebec's training for préposés aux bénéficiaires): nurse aides and home
# support workers.
CARE_OCCUPATIONS = {"33102", "44101"}
CARE_AUTHORITIES = {
    "CA-ON": "ontario-skills-ministry",
    "CA-QC": "quebec-emploi-competences",
    "CA-BC": "bc-workforce-agency",
}
NATIONAL_COUNCIL = "national-microcredential-quality-council"


def care_recognitions(
    listing: Credential,
    occupation_codes: set[str],
    recognised: bool,
    owner: Provider,
    authorities: list[Authority],
    seed: int,
) -> list[Recognition]:
    """The demo's recognition of care aides' training: three in four published listings for
    nurse aides or home support workers that nobody recognised yet are, by their province's
    ministry where the demo has one, else by the national council. A generator of its own, so
    the listings stay the same."""
    if recognised or listing.published_at is None or not occupation_codes & CARE_OCCUPATIONS:
        return []
    rng = random.Random(f"{seed}:{listing.external_id}:care")
    if rng.random() > 0.75:
        return []
    slug = CARE_AUTHORITIES.get(owner.jurisdiction, NATIONAL_COUNCIL)
    authority = next(a for a in authorities if a.slug == slug)
    start = listing.published_at.date()
    return [
        Recognition(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            credential_id=listing.id,
            authority_id=authority.id,
            kind="APPROVED_FOR_FUNDING",
            valid_from=start,
            valid_until=None,
            note="Care aide training - reviewed " + str(start.year),
            created_at=datetime.combine(start, datetime.min.time(), timezone.utc),
            revoked_at=None,
        )
    ]


def delivery_partners(listing: Credential, owner: Provider, providers: list[Provider], seed: int) -> list[Provider]:
    """The demo's delivery partners of a listing: about one in thirteen is delivered by one or
    two other institutions of its owner's province too, as a college system or consortium
    would. A generator of its own, so the listings stay the same."""
    rng = random.Random(f"{seed}:{listing.external_id}:partners")
    neighbours = [p for p in providers if p.jurisdiction == owner.jurisdiction and p.id != owner.id]
    if not neighbours or rng.random() >= 0.08:
        return []
    return rng.sample(neighbours, min(len(neighbours), rng.choice([1, 1, 2])))


def generate(count: int, seed: int = 1, today: date | None = None) -> DemoListings:
    """``count`` listings from ``seed``: mostly published, some drafts and retired ones; their
    offerings dated from ``today``."""
    generator = _Generator(reference(), seed, today or date.today())
    for index in range(count):
        generator.listing(index)
    return generator.out
