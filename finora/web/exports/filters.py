"""The dashboard table's filters read strictly from a query string, for the export page and
its downloads: a malformed value is an error the form shows (400), another household's
account or category is a 404 — never silently "all"."""

from __future__ import annotations

from collections.abc import Mapping

from finora.errors import FieldError
from finora.models import Account, Category, Payee, Tag
from finora.services.ledger.entry_list import KINDS, STATUSES, EntryFilters
from finora.tenancy import get_owned_or_404
from finora.translation import lazy_gettext as _l
from finora.web.converters import parse_id
from finora.web.labels import PAYMENT_METHODS

SEARCH_LIMIT = 100


def _choice(args: Mapping[str, str], name: str, allowed, message) -> str:
    value = args.get(name, "") or ""
    if value and value not in allowed:
        raise FieldError(name, message)
    return value


def _owned_id(args: Mapping[str, str], name: str, model, message) -> int | None:
    value = (args.get(name, "") or "").strip()
    if not value:
        return None
    object_id = parse_id(value)
    if object_id is None:
        raise FieldError(name, message)
    get_owned_or_404(model, object_id)  # another household's id: 404, never a hint
    return object_id


def read_filters(args: Mapping[str, str]) -> EntryFilters:
    """EntryFilters from ?kind=&status=&account=&category=&method=&q=&tag=&payee= (the
    dashboard's names). Raises FieldError for a malformed value; aborts 404 for an id not this
    household's."""
    return EntryFilters(
        kind=_choice(args, "kind", KINDS, _l("Choose a type from the list.")),
        status=_choice(args, "status", STATUSES, _l("Choose a status from the list.")),
        account_id=_owned_id(args, "account", Account, _l("The account must be chosen from the list.")),
        category_id=_owned_id(
            args, "category", Category, _l("The category must be chosen from the list.")
        ),
        payment_method=_choice(
            args, "method", PAYMENT_METHODS, _l("Choose a payment method from the list.")
        ),
        search=_search(args),
        tag_id=_owned_id(args, "tag", Tag, _l("The tag must be chosen from the list.")),
        payee_id=_owned_id(args, "payee", Payee, _l("The payee must be chosen from the list.")),
    )


def _search(args: Mapping[str, str]) -> str:
    value = args.get("q", "") or ""
    if "\x00" in value or len(value) > SEARCH_LIMIT:
        raise FieldError("q", _l("The search can be at most %(limit)d characters.", limit=SEARCH_LIMIT))
    return value.strip()
