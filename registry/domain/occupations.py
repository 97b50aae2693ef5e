"""Occupations: what a classification's files say of one, and NOC 2021's rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

from registry.domain.errors import Problem
from registry.domain.records import LanguageMap
from registry.domain.vocabularies import OCCUPATION_SCHEME

# A bound against a file that is not what it says, far above any unit group's job titles.
MAX_EXAMPLE_TITLES = 2000
MAX_QUERY_LENGTH = 200  # as the search page's box
MAX_QUERY_WORDS = 12  # a person names a job in a few words; each word is a prefix to look up
_WORD = re.compile(r"[^\W_]+")


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


def read_query(text: str | None) -> tuple[str | None, list[Problem]]:
    """The words an occupation search looks for: None when there are none (no query, or only
    spaces and punctuation: every occupation), else the text; a problem when it is longer, or
    has more words, than a person types to name a job."""
    if text is None or not _WORD.search(text):
        return None, []
    if len(text) > MAX_QUERY_LENGTH:
        return None, [Problem(("query",), "TOO_LONG", f"`query` is at most {MAX_QUERY_LENGTH} characters.")]
    if len(_WORD.findall(text)) > MAX_QUERY_WORDS:
        return None, [Problem(("query",), "TOO_MANY_WORDS", f"`query` has at most {MAX_QUERY_WORDS} words.")]
    return text.strip(), []
