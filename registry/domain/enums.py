"""The registry's enumerations, with the meaning of every value.

The GraphQL layer builds its enums from these (names and descriptions), and the
database has matching enum types, so a value is spelled the same everywhere.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Iterable


def not_of(enum: type[StrEnum], values: Iterable[str]) -> list[str]:
    """Messages for the ``values`` that are not values of ``enum`` (each named, with the choices):
    the one rule every enumerated field and filter follows, so that nothing else (the API's
    NOT_STATED, a typo in a file) reaches the database's enum types."""
    return [f"{value!r} is not one of {', '.join(enum)}." for value in values if value not in enum.__members__]


class CredentialStatus(StrEnum):
    """Where a listing is in its life."""

    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"
    RETIRED = "RETIRED"


class CredentialType(StrEnum):
    """What kind of credential a listing offers."""

    MICRO_CREDENTIAL = "MICRO_CREDENTIAL"
    DIGITAL_BADGE = "DIGITAL_BADGE"
    CERTIFICATE = "CERTIFICATE"
    COURSE = "COURSE"


class DeliveryMode(StrEnum):
    """How learners take part."""

    ONLINE = "ONLINE"
    IN_PERSON = "IN_PERSON"
    HYBRID = "HYBRID"


class Pace(StrEnum):
    """Whether learners set their own pace or follow a schedule."""

    SELF_PACED = "SELF_PACED"
    SCHEDULED = "SCHEDULED"


class AssessmentType(StrEnum):
    """How achievement is assessed."""

    EXAM = "EXAM"
    PROJECT = "PROJECT"
    PORTFOLIO = "PORTFOLIO"
    PRACTICAL_DEMONSTRATION = "PRACTICAL_DEMONSTRATION"
    OBSERVATION = "OBSERVATION"
    NONE = "NONE"


class CostType(StrEnum):
    """What a cost is for."""

    TUITION = "TUITION"
    AGGREGATE = "AGGREGATE"
    APPLICATION = "APPLICATION"
    ENROLLMENT = "ENROLLMENT"
    MATERIALS = "MATERIALS"
    TECHNOLOGY = "TECHNOLOGY"
    ASSESSMENT = "ASSESSMENT"
    GRADUATION = "GRADUATION"
    ROOM_AND_BOARD = "ROOM_AND_BOARD"
    OTHER = "OTHER"


class ProviderKind(StrEnum):
    """The kind of institution that awards a credential."""

    UNIVERSITY = "UNIVERSITY"
    COLLEGE = "COLLEGE"
    POLYTECHNIC = "POLYTECHNIC"
    INDIGENOUS_INSTITUTE = "INDIGENOUS_INSTITUTE"
    PRIVATE_CAREER_COLLEGE = "PRIVATE_CAREER_COLLEGE"
    INDUSTRY = "INDUSTRY"
    NON_PROFIT = "NON_PROFIT"
    GOVERNMENT = "GOVERNMENT"


class AuthorityKind(StrEnum):
    """The kind of body that recognises credentials."""

    GOVERNMENT = "GOVERNMENT"
    REGULATOR = "REGULATOR"
    INDUSTRY_ASSOCIATION = "INDUSTRY_ASSOCIATION"
    QUALITY_ASSURANCE_AGENCY = "QUALITY_ASSURANCE_AGENCY"
    EMPLOYER = "EMPLOYER"


class RecognitionKind(StrEnum):
    """What a recognition says about a credential."""

    ENDORSED = "ENDORSED"
    ACCREDITED = "ACCREDITED"
    APPROVED_FOR_FUNDING = "APPROVED_FOR_FUNDING"
    INDUSTRY_RECOGNIZED = "INDUSTRY_RECOGNIZED"
    CREDIT_TRANSFER = "CREDIT_TRANSFER"


class CredentialLinkKind(StrEnum):
    """How two listings relate (stackability)."""

    PART_OF = "PART_OF"
    PREPARES_FOR = "PREPARES_FOR"
    SUPERSEDES = "SUPERSEDES"


class PathwayDirection(StrEnum):
    """Which way along a stack a listing lies from another."""

    LEADS_TO = "LEADS_TO"
    BUILDS_ON = "BUILDS_ON"


class CredentialOrder(StrEnum):
    """Orders a search result can be sorted in."""

    RELEVANCE = "RELEVANCE"
    NEWEST = "NEWEST"
    TITLE = "TITLE"
    COST_ASC = "COST_ASC"
    COST_DESC = "COST_DESC"
    WORKLOAD_ASC = "WORKLOAD_ASC"
    SOONEST_START = "SOONEST_START"
    NEAREST = "NEAREST"


class Audience(StrEnum):
    """Groups a listing is designed for or reserves places for."""

    YOUTH = "YOUTH"
    NEWCOMERS = "NEWCOMERS"
    INDIGENOUS_LEARNERS = "INDIGENOUS_LEARNERS"
    WOMEN = "WOMEN"
    MID_CAREER_WORKERS = "MID_CAREER_WORKERS"
    PERSONS_WITH_DISABILITIES = "PERSONS_WITH_DISABILITIES"
    LOW_INCOME_WORKERS = "LOW_INCOME_WORKERS"


class ChangeKind(StrEnum):
    """What happened to a listing in one change."""

    CREATED = "CREATED"
    UPDATED = "UPDATED"
    PUBLISHED = "PUBLISHED"
    RETIRED = "RETIRED"
    RECOGNIZED = "RECOGNIZED"
    RECOGNITION_REVOKED = "RECOGNITION_REVOKED"
    OFFERING_ADDED = "OFFERING_ADDED"
    OFFERING_UPDATED = "OFFERING_UPDATED"
    OFFERING_CANCELLED = "OFFERING_CANCELLED"
    CONFIRMED = "CONFIRMED"
    VERIFICATION_DUE = "VERIFICATION_DUE"
    TRANSFERRED = "TRANSFERRED"


class ScheduleTiming(StrEnum):
    """When in the day or week an offering's sessions take place."""

    DAYTIME = "DAYTIME"
    EVENING = "EVENING"
    WEEKEND = "WEEKEND"


class OfferingField(StrEnum):
    """A field of an offering that an update may empty."""

    START_DATE = "START_DATE"
    END_DATE = "END_DATE"
    REGISTRATION_OPENS = "REGISTRATION_OPENS"
    REGISTRATION_DEADLINE = "REGISTRATION_DEADLINE"
    PLACE = "PLACE"
    SCHEDULE_TIMINGS = "SCHEDULE_TIMINGS"
    LANGUAGES = "LANGUAGES"
    COST = "COST"
    SEATS_TOTAL = "SEATS_TOTAL"
    SEATS_AVAILABLE = "SEATS_AVAILABLE"


class OfferingAvailability(StrEnum):
    """Whether an offering takes registrations."""

    OPEN = "OPEN"
    FEW_SEATS = "FEW_SEATS"
    FULL = "FULL"
    WAITLIST = "WAITLIST"
    CLOSED = "CLOSED"


class HarvestSourceKind(StrEnum):
    """What a harvest source serves."""

    CTDL = "CTDL"
    JSONL = "JSONL"
    CSV = "CSV"
    MICROCRED_FEED = "MICROCRED_FEED"
    CREDENTIAL_ENGINE = "CREDENTIAL_ENGINE"


# What each value means, for the public schema's documentation.
VALUE_DESCRIPTIONS: dict[type[StrEnum], dict[str, str]] = {
    HarvestSourceKind: {
        "CTDL": "A provider's CTDL JSON-LD document (one object, a list, or an `@graph`).",
        "JSONL": "A provider's file of the registry's own export lines (JSON Lines).",
        "CSV": "A provider's file in the registry's import template (CSV).",
        "MICROCRED_FEED": "Another Microcred Registry, followed through its public change feed (not runnable yet).",
        "CREDENTIAL_ENGINE": "Organisations' listings in a Credential Engine registry (not runnable yet).",
    },
    CredentialStatus: {
        "DRAFT": "Being prepared by its provider; visible only to the provider and registry operators.",
        "PUBLISHED": "Public: listed in search results and visible to everyone.",
        "RETIRED": "No longer offered; still resolvable by ID so old links keep working, but never listed.",
    },
    CredentialType: {
        "MICRO_CREDENTIAL": "A short, focused, assessed credential (the registry's main kind).",
        "DIGITAL_BADGE": "A digital badge, typically issued as an Open Badge.",
        "CERTIFICATE": "A certificate of completion or achievement.",
        "COURSE": "A single course that awards credit or a record of learning.",
    },
    DeliveryMode: {
        "ONLINE": "Entirely online.",
        "IN_PERSON": "On site, in person.",
        "HYBRID": "A mix of online and in-person sessions.",
    },
    Pace: {
        "SELF_PACED": "Learners start any time and progress at their own pace.",
        "SCHEDULED": "Runs on a fixed schedule with start dates (cohorts).",
    },
    AssessmentType: {
        "EXAM": "A written or online examination.",
        "PROJECT": "A project or assignment assessed against criteria.",
        "PORTFOLIO": "A portfolio of work assessed as a whole.",
        "PRACTICAL_DEMONSTRATION": "A hands-on demonstration of the skill.",
        "OBSERVATION": "Observation in the workplace or a simulated setting.",
        "NONE": "Not assessed (participation only).",
    },
    ProviderKind: {
        "UNIVERSITY": "A university.",
        "COLLEGE": "A public college (including CEGEPs and colleges of applied arts and technology).",
        "POLYTECHNIC": "A polytechnic institution.",
        "INDIGENOUS_INSTITUTE": "An Indigenous institute or Indigenous-governed post-secondary institution.",
        "PRIVATE_CAREER_COLLEGE": "A private career college or private training institution.",
        "INDUSTRY": "An employer, industry body or vendor that trains.",
        "NON_PROFIT": "A non-profit or community organisation.",
        "GOVERNMENT": "A government department or agency that trains.",
    },
    AuthorityKind: {
        "GOVERNMENT": "A ministry or government department.",
        "REGULATOR": "A regulatory body for a profession or trade.",
        "INDUSTRY_ASSOCIATION": "An industry or sector association.",
        "QUALITY_ASSURANCE_AGENCY": "A post-secondary quality-assurance agency.",
        "EMPLOYER": "An employer or group of employers.",
    },
    RecognitionKind: {
        "ENDORSED": "Endorsed by the authority.",
        "ACCREDITED": "Accredited or quality-assured by the authority.",
        "APPROVED_FOR_FUNDING": "Approved for the authority's public funding programmes.",
        "INDUSTRY_RECOGNIZED": "Recognised by an industry body as meeting its needs.",
        "CREDIT_TRANSFER": "Counts for credit towards another credential.",
    },
    CredentialLinkKind: {
        "PART_OF": "This listing is a component of the target (stacks into it).",
        "PREPARES_FOR": "This listing prepares learners for the target.",
        "SUPERSEDES": "This listing replaces the target.",
    },
    PathwayDirection: {
        "LEADS_TO": "Reached by following PART_OF and PREPARES_FOR links from the listing: what it stacks into "
        "or prepares for.",
        "BUILDS_ON": "Reaching the listing through PART_OF and PREPARES_FOR links: what stacks into it or "
        "prepares for it.",
    },
    CredentialOrder: {
        "RELEVANCE": "Best text match first; without a query, the same as NEWEST.",
        "NEWEST": "Most recently published first.",
        "TITLE": "Alphabetically by title, in the requested language.",
        "COST_ASC": "Cheapest first; free listings (no cost) count as 0. Amounts are compared as numbers, whatever the currency.",
        "COST_DESC": "Most expensive first; free listings count as 0.",
        "WORKLOAD_ASC": "Shortest notional workload first.",
        "SOONEST_START": "The listing whose next offering (among those the filter's offering conditions accept) "
        "starts soonest first; a rolling intake starts today; listings without one last.",
        "NEAREST": "The listing with an offering nearest the `near` place first (needs `filter.near`).",
    },
    Audience: {
        "YOUTH": "Young people, typically 15 to 30.",
        "NEWCOMERS": "Immigrants and refugees new to the country.",
        "INDIGENOUS_LEARNERS": "First Nations, Inuit and Métis learners.",
        "WOMEN": "Women, including in fields where they are under-represented.",
        "MID_CAREER_WORKERS": "Workers changing or upgrading in mid-career.",
        "PERSONS_WITH_DISABILITIES": "Persons with disabilities.",
        "LOW_INCOME_WORKERS": "Low-wage, part-time or precarious workers.",
    },
    CostType: {
        "TUITION": "Teaching and instruction.",
        "AGGREGATE": "The sum of the direct costs.",
        "APPLICATION": "Applying.",
        "ENROLLMENT": "Enrolling, or registering for the credential.",
        "MATERIALS": "Books, supplies, tools and other learning resources.",
        "TECHNOLOGY": "Access to the technology the learning uses.",
        "ASSESSMENT": "Assessments, their scoring or retakes, charged on their own.",
        "GRADUATION": "Graduating or receiving the credential.",
        "ROOM_AND_BOARD": "Room, residence or meals while learning.",
        "OTHER": "Any other cost (the description says what).",
    },
    ChangeKind: {
        "CREATED": "The listing was created (as a draft, or directly published in bulk).",
        "UPDATED": "The listing's content changed.",
        "PUBLISHED": "The listing was published.",
        "RETIRED": "The listing was retired.",
        "RECOGNIZED": "An authority recognised the listing.",
        "RECOGNITION_REVOKED": "An authority revoked a recognition of the listing.",
        "OFFERING_ADDED": "The provider added an offering (an intake) of the listing.",
        "OFFERING_UPDATED": "An offering of the listing changed (dates, place, seats...).",
        "OFFERING_CANCELLED": "An offering of the listing was cancelled.",
        "CONFIRMED": "The provider confirmed the listing is still current (`confirmCredentials`).",
        "VERIFICATION_DUE": "The listing goes stale within 30 days unless its provider confirms it; sent to the "
        "provider's own webhooks (and operators'), never listed in the public feed.",
        "TRANSFERRED": "The listing moved to another provider (its ID, history and recognitions kept).",
    },
    ScheduleTiming: {
        "DAYTIME": "On weekdays, during working hours.",
        "EVENING": "On weekday evenings.",
        "WEEKEND": "On weekends.",
    },
    OfferingField: {
        "START_DATE": "Its first day (without one, and without an end, it is a rolling intake).",
        "END_DATE": "Its last day.",
        "REGISTRATION_OPENS": "When registration opens.",
        "REGISTRATION_DEADLINE": "When registration closes.",
        "PLACE": "Where it runs (an in-person or hybrid offering keeps one: make it ONLINE too).",
        "SCHEDULE_TIMINGS": "When in the day or week sessions are (becomes empty).",
        "LANGUAGES": "Its languages of instruction (becomes empty).",
        "COST": "Its own cost (the listing's then applies).",
        "SEATS_TOTAL": "How many learners it takes.",
        "SEATS_AVAILABLE": "How many seats are left.",
    },
    OfferingAvailability: {
        "OPEN": "Registration is open, with seats left.",
        "FEW_SEATS": "Registration is open; few seats are left.",
        "FULL": "No seats are left.",
        "WAITLIST": "Full; learners may join a waiting list.",
        "CLOSED": "Registration is closed (or the offering was cancelled).",
    },
}
