"""Reading CTDL values as publishers write them: lists or single values, language maps or
plain strings, numbers or numeric strings, ISO 8601 durations, concepts (bare or inside an
alignment), and languages by tag or by name."""

from __future__ import annotations

import re
from typing import Any

from registry.domain.language import is_language_tag

_DURATION = re.compile(
    r"^P(?:(?P<Y>[\d.]+)Y)?(?:(?P<M>[\d.]+)M)?(?:(?P<W>[\d.]+)W)?(?:(?P<D>[\d.]+)D)?"
    r"(?:T(?:(?P<h>[\d.]+)H)?(?:(?P<m>[\d.]+)M)?(?:(?P<s>[\d.]+)S)?)?$"
)
_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$")
# Language names publishers write instead of tags (English and French names, and ISO 639-2
# codes where a shorter tag exists).
LANGUAGE_NAMES = {
    "english": "en",
    "anglais": "en",
    "eng": "en",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "fra": "fr",
    "fre": "fr",
    "spanish": "es",
    "español": "es",
    "espagnol": "es",
    "spa": "es",
    "german": "de",
    "deutsch": "de",
    "allemand": "de",
    "cree": "cr",
    "cri": "cr",
    "inuktitut": "iu",
    "ojibwe": "oj",
    "ojibwa": "oj",
    "mi'kmaq": "mic",
}


def many(value: Any) -> list[Any]:
    """A property's values as a list (JSON-LD allows one value without brackets)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def text(value: Any) -> dict[str, str] | None:
    """A language map from CTDL's language map, a plain string (English) or @value objects."""
    if value is None:
        return None
    if isinstance(value, str):
        return {"en": value}
    if isinstance(value, dict) and "@value" in value:
        return {value.get("@language", "en"): str(value["@value"])}
    if isinstance(value, dict):
        return {lang: " ".join(t) if isinstance(t, list) else str(t) for lang, t in value.items()}
    if isinstance(value, list):
        merged: dict[str, str] = {}
        for item in value:
            merged.update(text(item) or {})
        return merged or None
    raise TypeError(f"{value!r} is not text")


def one_text(value: Any) -> str | None:
    """One string of a language map (or plain string): English, else any language."""
    found = text(value)
    return (found.get("en") or next(iter(found.values()), None)) if found else None


def text_lists(value: Any) -> dict[str, list[str]]:
    """Several strings per language (`ceterms:keyword`, `ceterms:condition`): a language map
    of lists or of strings, plain strings (English), or a list of any of these."""
    found: dict[str, list[str]] = {}
    for item in many(value):
        if isinstance(item, str):
            found.setdefault("en", []).append(item)
        elif isinstance(item, dict) and "@value" in item:
            found.setdefault(item.get("@language", "en"), []).append(str(item["@value"]))
        elif isinstance(item, dict):
            for lang, words in item.items():
                found.setdefault(lang, []).extend(str(word) for word in many(words))
        else:
            raise TypeError(f"{item!r} is not text")
    return found


def same_text(value: Any, known: dict[str, str]) -> bool:
    """Whether ``value`` is the text ``known`` (in any of its languages): the registry's own
    wording, which its export writes again."""
    found = text(value) if value is not None else None
    return bool(found) and all(known.get(lang) == words for lang, words in (found or {}).items())


def number(value: Any) -> float | None:
    """A number, or a string holding one (`12999`, `12,999.00`); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return float(value.strip().replace(",", ""))
    return None


def duration(value: Any) -> tuple[float | None, float | None] | None:
    """(hours, weeks) of an ISO 8601 duration, one of them set: hours and minutes are effort,
    days and longer are calendar length. None when ``value`` is not such a duration."""
    parts = _DURATION.match(value) if isinstance(value, str) and value not in ("P", "PT") else None
    if not parts or value.endswith("T"):
        return None
    n = {k: float(v) for k, v in parts.groupdict().items() if v}
    if {"Y", "M", "W", "D"} & set(n):
        return None, round(n.get("Y", 0) * 52 + n.get("M", 0) * 52 / 12 + n.get("W", 0) + n.get("D", 0) / 7, 1)
    return n.get("h", 0) + n.get("m", 0) / 60 + n.get("s", 0) / 3600, None


def concept(item: Any) -> str | None:
    """The concept a value names: a bare string (`deliveryType:InPerson`) or an alignment's
    `ceterms:targetNode`."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and isinstance(item.get("ceterms:targetNode"), str):
        return str(item["ceterms:targetNode"])
    return None


def language_tag(value: Any) -> str | None:
    """A BCP 47 tag for a language given by tag (kept as written: `en-US`) or by name
    (`English`, `Français`); None when it is neither."""
    if not isinstance(value, str):
        return None
    name = value.strip().lower()
    if name in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[name]
    return value.strip() if is_language_tag(value.strip()) else None
