"""A household's model settings: the OpenAI API key (a Fernet token, never shown again),
the model (blank: AI_DEFAULT_MODEL) and an optional base URL of an OpenAI-compatible
server (http or https only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeGuard
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.crypto import SecretUnreadableError, decrypt_secret, encrypt_secret
from finora.errors import FieldError
from finora.models import AiSettings, Household
from finora.services.system import audit
from finora.translation import lazy_gettext as _l

MODEL_MAX = 100
BASE_URL_MAX = 500
KEY_MAX = 500


@dataclass(frozen=True)
class AiSettingsData:
    """What the settings form sends: a blank key keeps the stored one."""

    api_key: str = ""
    model: str = ""
    base_url: str = ""


def settings_of(session: Session, household: Household) -> AiSettings | None:
    return session.scalar(select(AiSettings).where(AiSettings.household_id == household.id))


def has_key(settings: AiSettings | None) -> TypeGuard[AiSettings]:
    return bool(settings is not None and settings.api_key_encrypted)


def model_of(settings: AiSettings | None, default: str) -> str:
    return (settings.model if settings is not None else "") or default


def api_key_of(settings: AiSettings) -> str:
    """The key in clear text, for the request only; SecretUnreadableError when it cannot
    be read (another APP_SECRET, or emptied by a restore)."""
    if not settings.api_key_encrypted:
        raise SecretUnreadableError()
    return decrypt_secret(settings.api_key_encrypted)


def clean_base_url(raw: str) -> str | None:
    """An http(s) URL with a host, without a trailing slash; None when blank."""
    text = raw.strip()
    if not text:
        return None
    if len(text) > BASE_URL_MAX:
        raise FieldError("base_url", _l("At most %(max)d characters.", max=BASE_URL_MAX))
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname
            or parts.username or parts.password or parts.query or parts.fragment
            or any(c.isspace() for c in text)):
        raise FieldError("base_url", _l("Enter an address starting with http:// or https://, "
                                        "such as https://api.openai.com/v1."))
    return text.rstrip("/")


def save_settings(session: Session, household: Household, data: AiSettingsData) -> AiSettings:
    """Create or change the settings. A new key, model or base URL lets the next refresh
    run at once (the cooldown protects one configuration's cost). Flushes."""
    model = data.model.strip()
    if len(model) > MODEL_MAX:
        raise FieldError("model", _l("At most %(max)d characters.", max=MODEL_MAX))
    base_url = clean_base_url(data.base_url)
    key = data.api_key.strip()
    if len(key) > KEY_MAX or any(c.isspace() for c in key):
        raise FieldError("api_key", _l("This does not look like an API key."))
    settings = settings_of(session, household)
    if settings is None:
        if not key:
            raise FieldError("api_key", _l("Enter the API key."))
        settings = AiSettings(household_id=household.id)
        session.add(settings)
    changed = bool(key) or model != settings.model or base_url != settings.base_url
    # Never the key itself: whether a new one was saved, and the model and server.
    audit.record(session, "ai.settings_saved", household_id=household.id, object_type="ai",
                 details={"new_key": bool(key), "model": model or None, "base_url": base_url})
    if key:
        settings.api_key_encrypted = encrypt_secret(key)
    elif not settings.api_key_encrypted:
        raise FieldError("api_key", _l("Enter the API key."))
    settings.model = model
    settings.base_url = base_url
    if changed:
        settings.last_refresh_at = None
        settings.last_error_code = None
    session.flush()
    return settings


def remove_key(session: Session, household: Household) -> bool:
    """Forget the key (the cached insights stay for the family to read). Flushes."""
    settings = settings_of(session, household)
    if settings is None or not settings.api_key_encrypted:
        return False
    settings.api_key_encrypted = None
    settings.last_error_code = None
    audit.record(session, "ai.key_removed", household_id=household.id, object_type="ai")
    session.flush()
    return True


__all__ = ["AiSettingsData", "SecretUnreadableError", "api_key_of", "clean_base_url",
           "has_key", "model_of", "remove_key", "save_settings", "settings_of"]
