"""Occupations: what a classification's files say of one, and NOC 2021's rules."""

from __future__ import annotations

from dataclasses import dataclass

from registry.domain.records import LanguageMap
from registry.domain.vocabularies import OCCUPATION_SCHEME

MAX_EXAMPLE_TITLES = 500  # more job titles than any NOC 2021 unit group has (about 300 at most)


@dataclass(frozen=True)
class OccupationEntry:
    """One occupation as loaded: its code, and its title, definition and job titles in the
    languages the files gave."""

    code: str
    title: LanguageMap
    definition: LanguageMap
    example_titles: dict[str, list[str]]


def teer(scheme: str, code: str) -> int | None:
    """NOC 2021's TEER category of a unit group (its second digit: 0 management, 1 a degree,
    2 a college diploma or apprenticeship of two years or more, ... 5 no formal education),
    None for other classifications."""
    if scheme != OCCUPATION_SCHEME or len(code) != 5 or not code.isdigit():
        return None
    return int(code[1])
