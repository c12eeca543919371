"""Instance administration answers: a user account as the admin's users page shows it."""

from __future__ import annotations

from finora.api.serialize import stamp
from finora.models import User


def admin_user_json(user: User, unconfirmed: set[int]) -> dict:
    """`unconfirmed`: the ids of sign-ups whose e-mail address is not confirmed yet
    (signup_verification.awaiting_verification_ids)."""
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "status": user.status,
        "email_confirmed": user.id not in unconfirmed,
        "is_admin": bool(user.is_admin),
        "locale": user.locale,
        "created_at": stamp(user.created_at),
        "approved_at": stamp(user.approved_at),
        "last_login_at": stamp(user.last_login_at),
        "households": [
            {"household_id": m.household_id, "household_name": m.household.name, "role": m.role}
            for m in sorted(user.memberships, key=lambda m: m.id)
        ],
    }
