"""The pages' words: codes named in each language, money and numbers written as each writes them."""

from __future__ import annotations

from registry.pages.words import CODES, TEXT, Words


def test_both_languages_have_every_text_and_every_code():
    assert set(TEXT["en"]) == set(TEXT["fr"]) and set(CODES["en"]) == set(CODES["fr"])


def test_codes_are_named_and_language_tags_by_their_base_language():
    assert (Words("fr").code("ONLINE"), Words("en").code("CA-QC"), Words("fr").code("fr-CA")) == (
        "En ligne",
        "Quebec",
        "français",
    )
    assert Words("en").code("UNHEARD_OF") == "UNHEARD_OF"


def test_money_is_written_the_english_and_the_french_way():
    assert (Words("en").money(1250), Words("fr").money(1250), Words("en").money(0)) == (
        "$1,250",
        "1\u202f250\u00a0$",
        "Free",
    )


def test_an_unknown_language_falls_back_to_english():
    assert Words("de").t("search") == "Search"
