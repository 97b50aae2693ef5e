"""The bundled gazetteer reads place names as people write them, in English and French, and
postal codes; what it does not know it says so (None), never a guess elsewhere."""

from __future__ import annotations

import pytest

from registry.interop.gazetteer import fold, resolve


@pytest.mark.parametrize(
    ("text", "name", "region"),
    [
        ("Sudbury, ON", "Greater Sudbury", "CA-ON"),
        ("Grand Sudbury (Ontario)", "Greater Sudbury", "CA-ON"),
        ("Trois-Rivieres, QC", "Trois-Rivières", "CA-QC"),
        ("trois rivières", "Trois-Rivières", "CA-QC"),
        ("Montréal", "Montréal", "CA-QC"),
        ("Québec, Québec", "Québec", "CA-QC"),
        ("Iqaluit, NU", "Iqaluit", "CA-NU"),
        ("St. John's, Terre-Neuve-et-Labrador", "St. John's", "CA-NL"),
    ],
)
def test_a_place_is_found_by_its_english_or_french_name_with_or_without_its_province(text, name, region):
    found = resolve(text)
    assert found is not None and (found.name, found.region) == (name, region)


def test_a_name_without_its_province_is_its_most_populous_place():
    found = resolve("Richmond")
    assert found is not None and found.region == "CA-BC"  # Richmond, BC, not Richmond, QC


@pytest.mark.parametrize("text", ["P3E", "p3e 2c6", "P3E2C6"])
def test_a_postal_code_is_found_by_its_first_three_characters(text):
    found = resolve(text)
    assert found is not None and (found.name, found.region) == ("P3E", "CA-ON")
    assert 46 < found.latitude < 47 and -81.5 < found.longitude < -80.5


@pytest.mark.parametrize("text", ["Sudbury, BC", "Atlantis", "Z9Z", "", "Sudbury, Narnia"])
def test_what_it_does_not_know_is_none(text):
    assert resolve(text) is None


def test_names_are_compared_without_accents_case_or_punctuation():
    assert fold("  Saint-Jean-sur-Richelieu ") == fold("saint jean sur richelieu") == "saint jean sur richelieu"
