"""Settings from the environment."""

import pytest

from registry.config import Settings, TrustedIssuer


def test_trusted_issuers_are_read_from_json():
    settings = Settings.from_env({"MICROCRED_TRUSTED_ISSUERS": '[{"issuer": "https://idp.example", '
                                  '"jwks_url": "https://idp.example/jwks", "audience": "registry"}]'})
    assert settings.trusted_issuers == (TrustedIssuer("https://idp.example", "https://idp.example/jwks", "registry"),)


@pytest.mark.parametrize("algorithm", ["none", "HS256"])
def test_trusted_issuers_cannot_use_none_or_hmac(algorithm):
    with pytest.raises(ValueError):
        TrustedIssuer.from_json(f'[{{"issuer": "i", "jwks_url": "u", "audience": "a", "algorithms": ["{algorithm}"]}}]')


def test_defaults_need_no_environment():
    settings = Settings.from_env({})
    assert settings.database_url is None and settings.issuer == "http://127.0.0.1:8000"
