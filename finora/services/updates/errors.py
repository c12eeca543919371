"""What can go wrong with an update, each with the message its reader sees."""

from __future__ import annotations

from finora.errors import FinoraError
from finora.translation import lazy_gettext as _l


class UpdateError(FinoraError):
    """Base of every update error the page, the CLI or the job reports. `reason` is a short
    English code for the audit trail and the CLI's one line."""

    message = _l("The update could not be checked or applied.")
    reason = "failed"
    status = 422


class SignatureError(UpdateError):
    """A manifest or a package without a signature, or one the release key did not make."""

    message = _l(
        "The update's signature is missing or does not match the release key: it was refused."
    )
    reason = "signature"


class PublicKeyError(UpdateError):
    message = _l(
        "The release public key (UPDATE_PUBLIC_KEY or updates/release-key.pub) cannot be read."
    )
    reason = "public_key"
