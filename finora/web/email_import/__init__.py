"""E-mail balance import (owners only, enforced by the role guard: OWNER_ONLY_BLUEPRINTS):
the household's mailbox configurations, each setting one account's balance from a bank's
e-mails, with a test that reads without saving and each one's last run."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("email_import", __name__)


@bp.before_request
@login_required
def _owners_only():
    # Owners only: finora.web.permissions refuses editors and viewers.
    return None


from finora.web.email_import import views  # noqa: E402,F401
