"""Sign-up, sign-in and sign-out."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from finora.web.auth import (  # noqa: E402,F401
    confirm_views,
    passkey_support,
    passkey_views,
    recovery_views,
    reset_views,
    two_factor_views,
    views,
)
