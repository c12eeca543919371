"""Refreshing and reading a household's AI insights.

A refresh (an owner's: the view and the API check the role) runs at most once every
AI_REFRESH_COOLDOWN_MINUTES per household, counted from `AiSettings.last_refresh_at`
(every attempt counts; claimed with one conditional UPDATE, so two owners clicking at once
make one call, and committed by the caller before the model is asked). The answer is validated with `InsightsAnswer` before it is stored; on any
error the previous insights stay and the error's code is kept for the page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.orm import Session

from finora.crypto import SecretUnreadableError
from finora.errors import FinoraError
from finora.models import AiInsight, AiSettings, Household, User
from finora.services.integrations.ai.client import CARD_TYPES, AiCallError, ask_model
from finora.services.integrations.ai.payload import build_payload
from finora.services.integrations.ai.settings import api_key_of, has_key, model_of, settings_of
from finora.services.planning.household_forecast import household_forecast
from finora.translation import lazy_gettext as _l

ERROR_MESSAGES = {
    "timeout": _l("The model did not answer in time. Try again later."),
    "bad_key": _l("The model’s server refused the API key. Check the key in the AI settings."),
    "rate_limited": _l("The model’s server is limiting requests for this key (rate limit or "
                       "quota). Try again later."),
    "refused": _l("The model declined to answer."),
    "malformed": _l("The model’s answer could not be read, so it was not saved."),
    "connection": _l("Could not reach the model’s server. Check the base URL."),
    "server_error": _l("The model’s server answered with an error. Try again later."),
    "secret_unreadable": _l("The stored API key can no longer be read. Enter it again."),
}


class InsightCard(BaseModel):
    # Built when a model's answer is first read, not as a worker starts.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    type: Literal["cash_risk", "risk", "pattern", "observation"]
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=2000)


class InsightsAnswer(BaseModel):
    """The structured output, as stored in AiInsight.payload."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    insights: list[InsightCard] = Field(min_length=1, max_length=12)


class NotConfiguredError(FinoraError):
    message = _l("AI insights are not set up: an owner adds an API key in the AI settings.")
    status = 409


class CooldownError(FinoraError):
    status = 429

    def __init__(self, next_at: datetime, minutes: int) -> None:
        super().__init__(_l("The insights can be refreshed once every %(minutes)d minutes.",
                            minutes=minutes))
        self.next_at = next_at


class RefreshFailedError(FinoraError):
    """The call failed: the previous insights stay. `code` is a key of ERROR_MESSAGES."""

    status = 502

    def __init__(self, code: str) -> None:
        super().__init__(ERROR_MESSAGES[code])
        self.code = code


@dataclass(frozen=True)
class CachedInsights:
    cards: list[InsightCard]  # cash_risk first, then risk, pattern, observation
    created_at: datetime
    model: str
    locale: str


def _ordered(cards: list[InsightCard]) -> list[InsightCard]:
    return sorted(cards, key=lambda card: CARD_TYPES.index(card.type))


def latest_insights(session: Session, household: Household) -> CachedInsights | None:
    row = session.scalar(
        select(AiInsight).where(AiInsight.household_id == household.id)
        .order_by(AiInsight.created_at.desc(), AiInsight.id.desc()).limit(1)
    )
    if row is None:
        return None
    try:
        answer = InsightsAnswer.model_validate_json(row.payload)
    except ValidationError:  # stored before a stricter model: shown as none
        return None
    return CachedInsights(_ordered(answer.insights), row.created_at, row.model, row.locale)


def next_refresh_at(settings: AiSettings | None, cooldown_minutes: int) -> datetime | None:
    if settings is None or settings.last_refresh_at is None:
        return None
    last = settings.last_refresh_at
    return last + timedelta(minutes=cooldown_minutes)


def _claim(session: Session, settings: AiSettings, now: datetime, cooldown_minutes: int) -> None:
    """Mark the attempt, unless another one ran within the cooldown (CooldownError)."""
    since = now - timedelta(minutes=cooldown_minutes)
    claimed = cast("CursorResult[Any]", session.execute(
        update(AiSettings)
        .where(AiSettings.id == settings.id,
               or_(AiSettings.last_refresh_at.is_(None), AiSettings.last_refresh_at <= since))
        .values(last_refresh_at=now)
        .execution_options(synchronize_session=False)
    )).rowcount
    session.refresh(settings)
    if claimed != 1:
        raise CooldownError(next_refresh_at(settings, cooldown_minutes) or now, cooldown_minutes)


def parse_answer(text: str) -> InsightsAnswer:
    try:
        return InsightsAnswer.model_validate(json.loads(text))
    except (ValueError, ValidationError) as error:
        raise AiCallError("malformed") from error


def start_refresh(session: Session, household: Household, *, now: datetime,
                  cooldown_minutes: int) -> None:
    """Claim the refresh: NotConfiguredError without a key, CooldownError within the
    cooldown. The caller commits before `finish_refresh`, so no lock is held while the model
    thinks (SQLite would lock every writer). Flushes."""
    settings = settings_of(session, household)
    if not has_key(settings):
        raise NotConfiguredError()
    _claim(session, settings, now, cooldown_minutes)


def finish_refresh(session: Session, household: Household, *, user: User | None, locale: str,
                   now: datetime, default_model: str, timeout: float) -> AiInsight:
    """Ask the model and store its validated insights (only the newest answer is kept).
    RefreshFailedError after recording the error's code: the caller commits in every case,
    so the error sticks and the previous insights stay. Flushes."""
    settings = settings_of(session, household)
    if not has_key(settings):
        raise NotConfiguredError()
    model = model_of(settings, default_model)
    try:
        key = api_key_of(settings)
        result = household_forecast(session, household)
        payload = build_payload(result, currency=household.currency, locale=locale)
        answer = parse_answer(ask_model(api_key=key, model=model, base_url=settings.base_url,
                                        payload=payload, timeout=timeout))
    except SecretUnreadableError:
        return _failed(session, settings, "secret_unreadable")
    except AiCallError as error:
        return _failed(session, settings, error.code)
    insight = AiInsight(household_id=household.id, created_at=now, model=model, locale=locale,
                        payload=answer.model_dump_json(),
                        requested_by_id=user.id if user is not None else None)
    session.add(insight)
    session.flush()
    session.execute(delete(AiInsight).where(AiInsight.household_id == household.id,
                                            AiInsight.id != insight.id))
    settings.last_error_code = None
    session.flush()
    return insight


def _failed(session: Session, settings: AiSettings, code: str):
    settings.last_error_code = code
    session.flush()
    raise RefreshFailedError(code)
