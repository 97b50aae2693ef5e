"""Language maps ({"en": "...", "fr": "..."}) and the fallback rule for reading them."""

from __future__ import annotations

import re
from typing import Mapping, TypeVar

DEFAULT_LANGUAGE = "en"
_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
V = TypeVar("V")


def is_language_tag(tag: object) -> bool:
    """True for a well-formed BCP 47 tag such as ``en``, ``fr-CA`` or ``oj`` (and for nothing but text)."""
    return isinstance(tag, str) and _TAG.fullmatch(tag) is not None


def pick(text: Mapping[str, V] | None, lang: str | None) -> V | None:
    """The value for ``lang``, else its base language, else English, else any (a text, or
    anything else kept per language, such as keyword lists).

    The database's ``pick_lang`` function follows the same rule, so sorting by title
    and showing a title agree.
    """
    if not text:
        return None
    if lang:
        if lang in text:
            return text[lang]
        base = lang.split("-", 1)[0]
        if base in text:
            return text[base]
    if DEFAULT_LANGUAGE in text:
        return text[DEFAULT_LANGUAGE]
    return text[min(text)]


def translations(text: Mapping[str, str] | None) -> list[tuple[str, str]]:
    """All (language, value) pairs, in a stable order."""
    return sorted((text or {}).items())
