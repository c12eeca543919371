"""Roles in the working household (DESIGN §2), enforced for every household page at once.

One guard runs before every request (installed by the household blueprint): owners may do
everything; editors keep the ledger and planning but not the owner-only areas (household
settings, members, backups); viewers only look. A refused request first resolves every
object id it names (URL path and form fields) through the tenancy helper, so another
household's id is a 404 and only the household's own objects get the 403 — and the view,
with whatever it would write, never runs.
"""

from __future__ import annotations

from functools import wraps

from flask import Flask, current_app, render_template, request
from flask_login import current_user

from finora.errors import FinoraError
from finora.models import (
    Account,
    Backup,
    BalanceSnapshot,
    Budget,
    CategorisationRule,
    Category,
    EmailImportConfig,
    Entry,
    Goal,
    GoalContribution,
    ImportBatch,
    ImportProfile,
    Invitation,
    Membership,
    Payee,
    RecurringRule,
    Tag,
    Transfer,
    UndoRecord,
)
from finora.tenancy import current_membership, get_owned_or_404
from finora.translation import lazy_gettext as _l
from finora.web.converters import parse_id

# Areas about the person, not the household: no role applies.
# "updates" (/about, help) and "metrics" are about the instance, not a household; "pwa" is
# the installable app's shell (manifest, service worker, offline page); "api"
# enforces the roles itself (finora/api/access.py: tokens, scopes, JSON answers).
PERSONAL_BLUEPRINTS = frozenset(
    {"public", "assets", "auth", "profile", "admin", "invitations", "updates", "metrics", "api",
     "pwa"}
)
# Areas of the household that only its owners manage.
OWNER_ONLY_BLUEPRINTS = frozenset({"household", "backups", "email_import", "ai"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Which model an id names, in a URL (view argument) or a posted form field.
OBJECT_IDS = {
    "account_id": Account,
    "entry_id": Entry,
    "transfer_id": Transfer,
    "category_id": Category,
    "rule_id": RecurringRule,
    "budget_id": Budget,
    "goal_id": Goal,
    "contribution_id": GoalContribution,
    "snapshot_id": BalanceSnapshot,
    "membership_id": Membership,
    "invitation_id": Invitation,
    "batch_id": ImportBatch,
    "profile_id": ImportProfile,
    "backup_id": Backup,
    "config_id": EmailImportConfig,
    "undo_id": UndoRecord,
    "payee_id": Payee,
    "tag_id": Tag,
    "catrule_id": CategorisationRule,
}


ROLE_LABELS = {"owner": _l("Owner"), "editor": _l("Editor"), "viewer": _l("Viewer")}


class ViewerRefusedError(FinoraError):
    message = _l("Guests of this household can look but not change anything.")
    status = 403


class OwnerOnlyError(FinoraError):
    message = _l("Only the household’s owners can do this.")
    status = 403


def current_role() -> str | None:
    membership = current_membership()
    return membership.role if membership is not None else None


def can_write() -> bool:
    """Whether the signed-in user may change the ledger and planning of this household."""
    return current_role() in ("owner", "editor")


def is_owner() -> bool:
    return current_role() == "owner"


def owner_only(view):
    """For an owner-only page on a blueprint the guard does not know as owner-only (an
    object it names must already have been checked: another household's id stays 404)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not is_owner():
            raise OwnerOnlyError()
        return view(*args, **kwargs)

    return wrapped


def is_form_page(rule) -> bool:
    """A page that exists only to write: its URL also accepts a write (new, edit...)."""
    return bool(rule is not None and rule.methods & WRITE_METHODS)


def refusal(role: str, blueprint: str, method: str, rule) -> FinoraError | None:
    """Why this role may not make this request, or None when it may."""
    if role == "owner":
        return None
    if blueprint in OWNER_ONLY_BLUEPRINTS:
        return OwnerOnlyError()
    if role == "editor":
        return None
    # Viewers (and any role this code does not know) only read.
    if method not in READ_METHODS or is_form_page(rule):
        return ViewerRefusedError()
    return None


def _named_objects() -> list[tuple[type, int]]:
    named = [
        (OBJECT_IDS[key], value)
        for key, value in (request.view_args or {}).items()
        if key in OBJECT_IDS and isinstance(value, int)
    ]
    if request.method not in READ_METHODS:
        for key, model in OBJECT_IDS.items():
            value = request.form.get(key, "")
            if value.isascii() and value.isdigit():
                # A number beyond the id range names nothing: 404 below, never an overflow.
                named.append((model, parse_id(value) or 0))
    return named


def guard_household_request():
    """The before-request hook: answer 403 (or 404) for what the role may not do."""
    blueprint = request.blueprint
    if (
        request.endpoint is None
        or blueprint is None
        or blueprint in PERSONAL_BLUEPRINTS
        or not current_user.is_authenticated
    ):
        return None
    membership = current_membership()
    if membership is None:
        return render_template("household/no_household.html"), 403
    error = refusal(membership.role, blueprint, request.method, request.url_rule)
    if error is None:
        return None
    for model, object_id in _named_objects():
        get_owned_or_404(model, object_id)  # another household's id: 404, never 403
    current_app.logger.info(
        "refused role=%s endpoint=%s method=%s", membership.role, request.endpoint, request.method
    )
    raise error


def init_permissions(app: Flask) -> None:
    """Install the guard and the template helpers (called once when the app is built)."""
    app.before_request(guard_household_request)
    app.jinja_env.globals.update(
        can_write=can_write, is_owner=is_owner, current_role=current_role, ROLE_LABELS=ROLE_LABELS
    )
