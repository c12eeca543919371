"""APP_BASE_URL follows FINORA_HOST/FINORA_PORT when unset, spelled so passkeys work; and
the rule that says when browsers refuse passkeys for a relying party and origin."""

from __future__ import annotations

import pytest

from config import default_base_url, load_config, passkey_obstacle


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("APP_BASE_URL", "FINORA_HOST", "FINORA_PORT", "WEBAUTHN_RP_ID", "WEBAUTHN_ORIGIN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FINORA_DATA_DIR", str(tmp_path))
    return monkeypatch


def test_default_is_localhost_on_the_default_port(clean_env):
    config = load_config()
    config.finalise()
    assert config.APP_BASE_URL == "http://localhost:5000"
    assert (config.FINORA_HOST, config.FINORA_PORT) == ("127.0.0.1", 5000)
    # localhost is a valid relying party and a secure context: passkeys work out of the box
    assert config.WEBAUTHN_RP_ID == "localhost"
    assert config.WEBAUTHN_ORIGIN == "http://localhost:5000"
    assert passkey_obstacle(config.WEBAUTHN_RP_ID, config.WEBAUTHN_ORIGIN) is None


def test_another_port_moves_the_links_with_it(clean_env):
    clean_env.setenv("FINORA_PORT", "8123")
    config = load_config()
    assert config.APP_BASE_URL == "http://localhost:8123"
    assert config.FINORA_PORT == 8123


def test_a_host_name_is_kept(clean_env):
    clean_env.setenv("FINORA_HOST", "Finance.Home.Arpa")
    clean_env.setenv("FINORA_PORT", "8000")
    assert load_config().APP_BASE_URL == "http://finance.home.arpa:8000"


def test_an_explicit_base_url_wins(clean_env):
    clean_env.setenv("FINORA_PORT", "8123")
    clean_env.setenv("APP_BASE_URL", "https://money.example.org/")
    assert load_config().APP_BASE_URL == "https://money.example.org"


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("", "http://localhost:5000"),
        ("0.0.0.0", "http://localhost:5000"),  # noqa: S104 - a host string, not a bind
        ("127.0.0.1", "http://localhost:5000"),
        ("127.0.1.1", "http://localhost:5000"),
        ("::", "http://localhost:5000"),
        ("::1", "http://localhost:5000"),
        ("[::1]", "http://localhost:5000"),
        ("localhost", "http://localhost:5000"),
        ("192.168.1.20", "http://192.168.1.20:5000"),
        ("fd00::5", "http://[fd00::5]:5000"),
        ("nas.local", "http://nas.local:5000"),
    ],
)
def test_default_base_url(host, expected):
    assert default_base_url(host, 5000) == expected


@pytest.mark.parametrize(
    ("rp_id", "origin", "expected"),
    [
        ("localhost", "http://localhost:5000", None),
        ("finora.localhost", "http://finora.localhost:8000", None),
        ("example.org", "https://money.example.org", None),
        ("money.example.org", "https://money.example.org:8443", None),
        ("127.0.0.1", "http://127.0.0.1:5000", "ip-address"),
        ("192.168.1.20", "https://192.168.1.20", "ip-address"),
        ("::1", "http://[::1]:5000", "ip-address"),
        ("nas.local", "http://nas.local:5000", "insecure"),
        ("other.org", "https://money.example.org", "mismatch"),
        ("ample.org", "https://example.org", "mismatch"),
        ("", "https://example.org", "mismatch"),
    ],
)
def test_passkey_obstacle(rp_id, origin, expected):
    assert passkey_obstacle(rp_id, origin) == expected
