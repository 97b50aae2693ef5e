"""Settings from the environment."""

import json

import pytest

from registry.config import Settings, TrustedIssuer

ISSUER_ENTRY = {"issuer": "https://idp.example", "jwks_url": "https://idp.example/jwks", "audience": "registry"}


def _issuers(**changes) -> str:
    """MICROCRED_TRUSTED_ISSUERS with one entry: ISSUER_ENTRY changed by ``changes`` (None removes)."""
    entry = {k: v for k, v in {**ISSUER_ENTRY, **changes}.items() if v is not None}
    return json.dumps([entry])


def test_trusted_issuers_are_read_from_json():
    settings = Settings.from_env(
        {"MICROCRED_TRUSTED_ISSUERS": _issuers(providers=["north-college"], jurisdictions=["CA-ON", "CA-QC"])}
    )
    assert settings.trusted_issuers == (
        TrustedIssuer(
            "https://idp.example",
            "https://idp.example/jwks",
            "registry",
            providers=("north-college",),
            jurisdictions=("CA-ON", "CA-QC"),
        ),
    )


def test_an_issuer_may_be_trusted_by_providers_or_by_jurisdictions_alone():
    (by_slug,) = TrustedIssuer.from_json(_issuers(providers=["north-college"]))
    (by_region,) = TrustedIssuer.from_json(_issuers(jurisdictions=["CA-ON"]))
    assert by_slug.may_act_for("north-college", "CA-BC") and not by_slug.may_act_for("south-polytechnic", "CA-ON")
    assert by_region.may_act_for("south-polytechnic", "CA-ON") and not by_region.may_act_for("north-college", "CA-BC")


@pytest.mark.parametrize("scope", [{}, {"providers": [], "jurisdictions": []}], ids=["absent", "empty"])
def test_an_issuer_trusted_for_no_provider_is_a_startup_error(scope):
    with pytest.raises(ValueError, match="names neither `providers`.*nor `jurisdictions`"):
        Settings.from_env({"MICROCRED_TRUSTED_ISSUERS": _issuers(**scope)})


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"providers": ["North College"]}, "not provider slugs"),
        ({"providers": "north-college"}, "`providers` is a list of strings"),
        ({"jurisdictions": ["ca-on"]}, "not ISO 3166-2 codes"),
        ({"jurisdictions": ["CA"]}, "not ISO 3166-2 codes"),
        ({"jurisdictions": ["CA-ON"], "audience": None}, "lacks audience"),
        ({"jurisdictions": ["CA-ON"], "provider_claim": ["provider"]}, "`provider_claim` is the name of a claim"),
    ],
    ids=[
        "slug with spaces",
        "providers as a string",
        "lower-case code",
        "a country",
        "no audience",
        "provider_claim as a list",
    ],
)
def test_a_malformed_issuer_entry_is_a_startup_error(changes, message):
    with pytest.raises(ValueError, match=message):
        TrustedIssuer.from_json(_issuers(**changes))


@pytest.mark.parametrize("text", ['{"issuer": "x"}', '["x"]'], ids=["an object", "a list of strings"])
def test_trusted_issuers_are_a_list_of_objects(text):
    with pytest.raises(ValueError, match="JSON list of objects"):
        TrustedIssuer.from_json(text)


@pytest.mark.parametrize("algorithm", ["none", "HS256"])
def test_trusted_issuers_cannot_use_none_or_hmac(algorithm):
    with pytest.raises(ValueError, match="'none' and HMAC"):
        TrustedIssuer.from_json(_issuers(providers=["north-college"], algorithms=[algorithm]))


def test_defaults_need_no_environment():
    settings = Settings.from_env({})
    assert settings.database_url is None and settings.issuer == "http://127.0.0.1:8000"
