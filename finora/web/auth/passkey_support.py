"""Whether browsers can use passkeys on this instance, and why not: the sign-in and profile
pages hide the passkey buttons then, and the profile says what stands in the way."""

from __future__ import annotations

from flask import current_app

from config import passkey_obstacle as _obstacle
from finora.translation import gettext as _
from finora.web.auth import bp


@bp.app_template_global()
def passkey_obstacle() -> str | None:
    """"ip-address", "insecure" or "mismatch" when passkeys cannot work here; else None.
    Read from the live configuration (the relying party and origin are never a request's)."""
    config = current_app.config
    return _obstacle(config["WEBAUTHN_RP_ID"], config["WEBAUTHN_ORIGIN"])


@bp.app_template_global()
def passkey_obstacle_message() -> str | None:
    """The obstacle in words a user (often the instance's own admin) can act on."""
    reason = passkey_obstacle()
    if reason is None:
        return None
    config = current_app.config
    origin, rp_id = config["WEBAUTHN_ORIGIN"], config["WEBAUTHN_RP_ID"]
    if reason == "ip-address":
        return _(
            "Passkeys cannot be used here: this Finora's address (%(origin)s) is an IP "
            "address, and browsers bind passkeys to a host name only. The administrator can "
            "set APP_BASE_URL to a host name (for a local install, http://localhost with "
            "its port).",
            origin=origin,
        )
    if reason == "insecure":
        return _(
            "Passkeys cannot be used here: this Finora is served over plain http "
            "(%(origin)s), and browsers allow passkeys only over https or on localhost. "
            "The administrator can serve it over https.",
            origin=origin,
        )
    return _(
        "Passkeys cannot be used here: the passkey domain (%(rp_id)s, WEBAUTHN_RP_ID) is "
        "not this Finora's address (%(origin)s) or a parent domain of it. The "
        "administrator can correct the setting.",
        rp_id=rp_id,
        origin=origin,
    )
