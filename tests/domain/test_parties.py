"""The rules for registering providers and recognition authorities."""

from registry.domain.parties import check_party

GOOD = {"slug": "northern-college", "name": {"en": "Northern College"}, "jurisdiction": "CA-ON", "website": None}


def codes(national_allowed: bool = False, **changes: object) -> list[str]:
    return [p.code for p in check_party(**{**GOOD, **changes}, national_allowed=national_allowed)]


def test_a_well_formed_provider_has_no_problems():
    assert codes() == []


def test_a_slug_is_lower_case_words_joined_by_single_hyphens():
    for slug in ("Northern", "northern--college", "-northern", "northern_college", "a" * 81, ""):
        assert codes(slug=slug) == ["INVALID_SLUG"], slug


def test_a_name_is_needed_in_at_least_one_language():
    assert codes(name={}) == ["REQUIRED"]


def test_a_blank_name_or_a_name_under_a_malformed_tag_is_refused():
    assert codes(name={"en": "  "}) == ["INVALID_NAME"]
    assert codes(name={"english": "Northern College"}) == ["INVALID_NAME"]


def test_a_provider_belongs_to_a_province_not_a_country():
    assert codes(jurisdiction="CA") == ["INVALID_JURISDICTION"]
    assert codes(jurisdiction="ca-on") == ["INVALID_JURISDICTION"]


def test_an_authority_may_be_national():
    assert codes(national_allowed=True, jurisdiction="CA") == []
    assert codes(national_allowed=True, jurisdiction="Canada") == ["INVALID_JURISDICTION"]


def test_a_website_is_an_http_url():
    assert codes(website="https://northern.example.ca/") == []
    assert codes(website="ftp://northern.example.ca/") == ["INVALID_URL"]
    assert codes(website="https://") == ["INVALID_URL"]


def test_every_problem_is_reported_at_once_with_its_field():
    problems = check_party(slug="X", name={}, jurisdiction="?", website="nope", national_allowed=False)
    assert [p.field for p in problems] == [("slug",), ("name",), ("jurisdiction",), ("website",)]
