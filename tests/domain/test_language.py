"""Reading language maps: the requested language, its base, English, then any."""

from registry.domain.language import is_language_tag, pick, translations


def test_exact_language_wins():
    assert pick({"en": "Welding", "fr": "Soudage"}, "fr") == "Soudage"


def test_regional_tag_falls_back_to_its_base_language():
    assert pick({"en": "Welding", "fr": "Soudage"}, "fr-CA") == "Soudage"


def test_unknown_language_falls_back_to_english():
    assert pick({"en": "Welding", "fr": "Soudage"}, "oj") == "Welding"


def test_without_english_any_language_is_used():
    assert pick({"fr": "Soudage"}, "en") == "Soudage"


def test_no_text_is_none():
    assert pick({}, "en") is None and pick(None, "fr") is None


def test_translations_are_sorted_by_language():
    assert translations({"fr": "b", "en": "a"}) == [("en", "a"), ("fr", "b")]


def test_language_tags():
    assert all(is_language_tag(t) for t in ["en", "fr-CA", "oj", "iu-Latn"])
    assert not any(is_language_tag(t) for t in ["", "english", "12", "fr_CA", "en-"])
