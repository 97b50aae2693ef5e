"""The demo listings the test database holds, computed in Python: an independent answer
key for what the API should return."""

from __future__ import annotations

import unicodedata
from datetime import date
from functools import cache

from registry.demo.generator import DemoListings, generate
from registry.demo.reference import Reference, reference
from registry.domain import ids
from registry.domain.language import pick
from registry.domain.records import Credential
from tests.support.apps import DEMO_LISTINGS, DEMO_SEED


@cache
def listings() -> DemoListings:
    return generate(DEMO_LISTINGS, DEMO_SEED)


def ref() -> Reference:
    return reference()


def published() -> list[Credential]:
    return [c for c in listings().credentials if c.status == "PUBLISHED"]


def gid(type_name: str, uuid) -> str:
    return ids.encode(type_name, uuid)


def credential_gids(credentials) -> set[str]:
    return {gid("Credential", c.id) for c in credentials}


def active_recognitions(credential_id, today: date | None = None):
    today = today or date.today()
    return [r for r in listings().recognitions if r.credential_id == credential_id and r.is_active(today)]


def skill_ids_of(credential_id) -> set:
    return {skill for cid, skill, _ in listings().skills if cid == credential_id}


def occupation_codes_of(credential_id) -> set[str]:
    by_id = {o.id: o.code for o in ref().occupations}
    return {by_id[occ] for cid, occ, _ in listings().occupations if cid == credential_id}


def sort_title(credential: Credential, lang: str = "en") -> str:
    """The TITLE order key: the title in ``lang`` (with fallback), lower-cased, accents removed."""
    text = pick(credential.title, lang) or ""
    stripped = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return stripped.lower()
