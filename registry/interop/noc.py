"""Statistics Canada's NOC 2021 files: the unit groups with their titles, definitions and
illustrative job titles, in English and French.

Statistics Canada publishes NOC 2021 Version 1.0 (Open Government Licence - Canada) as CSV, one
pair of files per language:

- the classification structure (`noc_2021_version_1.0_-_classification_structure.csv`,
  `cnp_2021_version_1.0_-_structure_de_la_classification.csv`): one row per class of the five
  levels, with `Level`, `Hierarchical structure`, `Code - NOC 2021 V1.0`, `Class title`,
  `Class definition` (in French `Niveau`, `Code dela CNP 2021 v1.0` as published, `Titres de classes`,
  `Définitions de la classe`);
- the elements (`noc_2021_version_1.0_-_elements.csv`, `cnp_2021_version_1.0_-_elements.csv`):
  one row per element of a class, with its level, code, class title, type (`Element Type Label English`, `Nom du type
  d'élément Français`) and text; the job titles are the elements of type "Illustrative
  example(s)" and "All examples" ("Exemple(s) illustratif(s)", "Tous les exemples").

Column names are recognised by their words (case, accents, apostrophes and the spacing the
published French headers vary in are ignored), so each file is recognised by its header and
the four may come in any order. Codes that lost their leading zeros to a spreadsheet ("10" for
00010) are padded. A unit group's title is its structure file's (an elements file repeats it,
and gives it when read alone). Files are UTF-8 (a byte-order mark is fine) or,
failing that, Windows-1252. Only unit groups (level 5, five digits) become occupations: they
are what listings are tagged with.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from registry.domain.occupations import MAX_EXAMPLE_TITLES, OccupationEntry

UNIT_GROUP_LEVEL = 5
_CODE = re.compile(r"[0-9]{1,5}")  # ASCII digits: a spreadsheet may have dropped the leading zeros
_EXAMPLE_TYPES = {"illustrative example(s)", "all examples", "exemple(s) illustratif(s)", "tous les exemples"}
_FRENCH_WORDS = ("niveau", "titre", "cnp", "type d'element", "description d'element", "francais")


class UnreadableFile(ValueError):
    """A file that is not one of the NOC 2021 files, or not in their shape."""


@dataclass
class UnitGroup:
    """One unit group as the files describe it, the languages merged."""

    code: str
    title: dict[str, str] = field(default_factory=dict)  # from a structure file
    class_title: dict[str, str] = field(default_factory=dict)  # as an elements file repeats it
    definition: dict[str, str] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def titles(self) -> dict[str, str]:
        """Its title per language: the structure file's, else the elements file's."""
        return {**self.class_title, **self.title}

    def add_example(self, lang: str, text: str) -> None:
        titles = self.examples.setdefault(lang, [])
        if text not in titles:
            titles.append(text)


@dataclass
class Classification:
    """What a set of files holds: the unit groups by code, and what was read of each file."""

    unit_groups: dict[str, UnitGroup] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # "structure (fr)", "elements (en)"...

    def unit_group(self, code: str) -> UnitGroup:
        return self.unit_groups.setdefault(code, UnitGroup(code))


def read(files: dict[str, bytes]) -> Classification:
    """The unit groups of NOC 2021 files (name -> content), in any order and any number."""
    found = Classification()
    for name, content in files.items():
        kind, lang = _read_one(name, content, found)
        found.files.append(f"{name}: {kind} ({lang})")
    return found


def entries(found: Classification) -> tuple[list[OccupationEntry], list[str]]:
    """The unit groups as occupations to load, by code, and the codes left out: those no file
    gave a title (an elements file read without its structure file names every class)."""
    ready = [
        OccupationEntry(g.code, g.titles, dict(g.definition), {k: list(v) for k, v in g.examples.items()})
        for g in sorted(found.unit_groups.values(), key=lambda g: g.code)
        if g.titles
    ]
    for entry in ready:
        for lang, titles in entry.example_titles.items():
            if len(titles) > MAX_EXAMPLE_TITLES:
                raise UnreadableFile(f"{entry.code} has {len(titles)} job titles in {lang}: more than NOC 2021 has.")
    return ready, sorted(code for code, g in found.unit_groups.items() if not g.titles)


def _read_one(name: str, content: bytes, into: Classification) -> tuple[str, str]:
    rows = csv.reader(io.StringIO(_decode(content), newline=""))
    header = next(rows, None)
    if not header:
        raise UnreadableFile(f"{name} is empty.")
    columns = _columns(header)
    lang = "fr" if any(word in " ".join(_plain(h) for h in header) for word in _FRENCH_WORDS) else "en"
    if "code" not in columns or "title" not in columns and "element_type" not in columns:
        raise UnreadableFile(
            f"{name} is not a NOC 2021 structure or elements file: its header is {header[:6]}"
            " (expected Level, Code - NOC 2021 V1.0, Class title and Class definition, or Element Type"
            " Label and Element Description)."
        )
    kind = "elements" if "element_type" in columns and "element_text" in columns else "structure"
    if "level" not in columns:
        raise UnreadableFile(f"{name}: a NOC 2021 file needs its Level column to tell unit groups apart.")
    line = rows.line_num  # the physical line a record starts on (a quoted cell may span several)
    for row in rows:
        if any(cell.strip() for cell in row):
            _take(row, columns, kind, lang, into, f"{name}, line {line + 1}")
        line = rows.line_num
    return kind, lang


def _take(row: list[str], columns: dict[str, int], kind: str, lang: str, into: Classification, where: str) -> None:
    def cell(column: str) -> str:
        index = columns.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    if cell("level") != str(UNIT_GROUP_LEVEL):
        return
    code = cell("code")
    if not _CODE.fullmatch(code):
        raise UnreadableFile(f"{where}: {code!r} is not a NOC 2021 unit group code.")
    group = into.unit_group(code.zfill(UNIT_GROUP_LEVEL))
    if cell("title"):
        (group.title if kind == "structure" else group.class_title)[lang] = cell("title")
    if kind == "structure" and cell("definition"):
        group.definition[lang] = cell("definition")
    if kind == "elements" and _plain(cell("element_type")) in _EXAMPLE_TYPES and cell("element_text"):
        group.add_example(lang, cell("element_text"))


def _columns(header: list[str]) -> dict[str, int]:
    """Column role -> index, recognised by the words of each published header."""
    roles: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = _plain(raw)
        role = _role(name)
        if role and role not in roles:
            roles[role] = index
    return roles


def _role(name: str) -> str | None:
    if name in ("level", "niveau"):
        return "level"
    if name.startswith("code"):
        return "code"
    if name.startswith(("class title", "titre")):
        return "title"
    if name.startswith(("class definition", "definition")):
        return "definition"
    if "element type" in name or "type d'element" in name:
        return "element_type"
    if "element description" in name or "description d'element" in name or "description de l'element" in name:
        return "element_text"
    return None


def _plain(text: str) -> str:
    """Lower case, no accents, straight apostrophes, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\ufeff", "").replace("\u2019", "'"))
    without = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", without).strip().lower()


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")
