"""NOC 2021 files in Statistics Canada's published shape (tests/interop/fixtures/noc/README.md)."""

from __future__ import annotations

from pathlib import Path

NOC_FILES = Path(__file__).resolve().parents[1] / "interop" / "fixtures" / "noc"
STRUCTURE_EN = "noc_2021_version_1.0_-_classification_structure.csv"
STRUCTURE_FR = "cnp_2021_version_1.0_-_structure_de_la_classification.csv"
ELEMENTS_EN = "noc_2021_version_1.0_-_elements.csv"
ELEMENTS_FR = "cnp_2021_version_1.0_-_elements.csv"
ALL = (STRUCTURE_EN, STRUCTURE_FR, ELEMENTS_EN, ELEMENTS_FR)


def noc_files(*names: str) -> dict[str, bytes]:
    """The named fixture files (all four when none are named), name -> content."""
    return {name: (NOC_FILES / name).read_bytes() for name in names or ALL}
