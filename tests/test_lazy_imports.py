"""A worker starts small: importing `app` (what each gunicorn worker does) leaves the heavy
packages only some pages use unimported — they load in the functions that use them.

Checked in a fresh interpreter (a clean sys.modules) on a migrated SQLite data folder, with
the scheduler on, as a worker starts. `make bench` (tests/bench/startup.py) measures the
start-up time and memory this buys.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The package, and what would show that it was loaded (plotly's own `import plotly` is light
# and serves its bundled plotly.min.js: only the figure code is heavy).
LAZY = {
    "pandas": "pandas",
    "openpyxl": "openpyxl",
    "reportlab": "reportlab",
    "plotly figures": "plotly.graph_objects",
    "plotly.io": "plotly.io",
    "openai": "openai",
    "py_webauthn": "webauthn",
    "qrcode": "qrcode",
    "Pillow": "PIL",
    "holidays": "holidays",
    # Flask-Migrate's (mako, pygments, every dialect's DDL): `flask db`, restores and the
    # migrations; the schema checks read the migration files and alembic_version themselves.
    "alembic": "alembic",
    # Each engine's insert-or-ignore imports its own dialect where it runs: a worker on
    # SQLite (as here) loads neither of the other two.
    "PostgreSQL's dialect": "sqlalchemy.dialects.postgresql",
    "MySQL's dialect": "sqlalchemy.dialects.mysql",
}

_CHILD = """
import json, sys
import app  # noqa: F401
from pydantic import BaseModel
from finora.services.people import passwords
from finora.web.url_rules import LazyBuilderRule

def models(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from models(sub)

print(json.dumps({
    "imported": [name for name in json.loads(sys.argv[1]) if name in sys.modules],
    "dummy_hash_made": passwords._DUMMY_HASH is not None,
    "models": sum(1 for m in models(BaseModel) if m.__module__.startswith("finora.")),
    "models_built": sorted(m.__name__ for m in models(BaseModel)
                           if m.__module__.startswith("finora.") and m.__pydantic_complete__),
    "eager_url_rules": [rule.endpoint for rule in app.app.url_map.iter_rules()
                        if not isinstance(rule, LazyBuilderRule)],
}))
"""


@pytest.fixture(scope="module")
def started(tmp_path_factory):
    data = tmp_path_factory.mktemp("lazy-imports")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data),
        "FINORA_ENV": "production",
        "SECRET_KEY": "lazy-imports-secret-key-0123456789abcdef",
        "APP_SECRET": "lazy-imports-app-secret-0123456789abcdef",
        "FINORA_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'finora.db'}",
        "APP_BASE_URL": "http://127.0.0.1:8000",
    }
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=ROOT,
                   env=env, capture_output=True, check=True, timeout=300)
    done = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(list(LAZY.values()))],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("package", LAZY)
def test_importing_the_app_does_not_import(started, package):
    assert LAZY[package] not in started["imported"], f"`import app` imported {package}"


def test_the_timing_equaliser_hash_is_made_on_first_use_not_at_start(started):
    assert started["dummy_hash_made"] is False


def test_the_api_models_are_built_on_first_use_not_at_start(started):
    """Each pydantic model's validator is built when its endpoint (or the OpenAPI document)
    first needs it (model_config's defer_build)."""
    assert started["models"] > 50
    assert started["models_built"] == []


def test_url_builders_are_compiled_on_first_use_not_at_start(started):
    """Only Flask's own static rule (added before create_app can choose the rule class)
    compiles its builders as it is added (finora/web/url_rules.py)."""
    assert started["eager_url_rules"] == ["static"]


def test_the_lazily_imported_code_still_works():
    """The functions that now import their package themselves, run for real."""
    from datetime import date

    from finora.business_days import BusinessCalendar, supported_countries
    from finora.services.people import passwords
    from finora.services.people.passkeys import RelyingParty, authentication_options
    from finora.services.people.totp import qr_code_data_uri

    assert "BR" in supported_countries()
    assert BusinessCalendar("BR").is_holiday(date(2026, 4, 21))  # Tiradentes
    assert qr_code_data_uri("otpauth://totp/Finora:a@example.com?secret=ABC").startswith(
        "data:image/svg+xml"
    )
    options, challenge = authentication_options(RelyingParty("localhost", "Finora", "http://localhost"))
    assert json.loads(options)["rpId"] == "localhost" and len(challenge) >= 16
    assert passwords.verify_password(None, "anything at all") is False
    assert passwords._dummy_hash() is passwords._dummy_hash()  # made once
