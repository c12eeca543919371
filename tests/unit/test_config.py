"""Configuration from the environment: production refuses to start without secrets."""

from __future__ import annotations

import pytest

from config import ConfigError, load_config, normalise_database_url


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("SECRET_KEY", "APP_SECRET", "DATABASE_URL", "REGISTRATION_MODE", "FINORA_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FINORA_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("missing", ["SECRET_KEY", "APP_SECRET"])
def test_production_refuses_to_start_without_secrets(clean_env, monkeypatch, missing):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("APP_SECRET", "a" * 40)
    monkeypatch.delenv(missing)
    config = load_config("production")
    with pytest.raises(ConfigError, match=missing):
        config.finalise()
    assert not (clean_env / ".secret_key").exists()


def test_local_run_generates_secrets_once_and_keeps_them(clean_env):
    first = load_config("development")
    first.finalise()
    second = load_config("development")
    second.finalise()
    assert first.SECRET_KEY and first.SECRET_KEY == second.SECRET_KEY
    assert first.APP_SECRET and first.APP_SECRET == second.APP_SECRET
    assert first.SECRET_KEY != first.APP_SECRET
    assert (clean_env / ".secret_key").stat().st_mode & 0o777 == 0o600


def test_default_database_is_sqlite_in_the_data_dir(clean_env):
    config = load_config("development")
    assert config.SQLALCHEMY_DATABASE_URI == f"sqlite:///{clean_env / 'finora.db'}"


def test_defaults(clean_env):
    config = load_config()
    assert config.REGISTRATION_MODE == "approval"
    assert config.RATELIMIT_STORAGE_URI == "memory://"
    assert config.SESSION_COOKIE_SECURE is False
    assert config.TRUSTED_PROXIES == 0


def test_bad_registration_mode_is_refused(clean_env, monkeypatch):
    monkeypatch.setenv("REGISTRATION_MODE", "sometimes")
    with pytest.raises(ConfigError, match="REGISTRATION_MODE"):
        load_config().finalise()


def test_unknown_environment_is_refused(clean_env):
    with pytest.raises(ConfigError, match="FINORA_ENV"):
        load_config("staging")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("mysql://u:p@h/db", "mysql+pymysql://u:p@h/db?charset=utf8mb4"),
        ("mariadb://u@h/db?x=1", "mysql+pymysql://u@h/db?x=1&charset=utf8mb4"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls_get_the_bundled_drivers(url, expected):
    assert normalise_database_url(url) == expected
