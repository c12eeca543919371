"""Translated labels for the ledger's fixed vocabularies."""

from __future__ import annotations

from finora.translation import lazy_gettext as _l

ACCOUNT_KINDS = {
    "checking": _l("Checking"),
    "savings": _l("Savings"),
    "credit_card": _l("Credit card"),
    "cash": _l("Cash"),
    "investment": _l("Investment"),
    "other": _l("Other"),
}

PAYMENT_METHODS = {
    "credit_card": _l("Credit card"),
    "debit_card": _l("Debit card"),
    "bank_transfer": _l("Bank transfer / PIX"),
    "cash": _l("Cash"),
    "other": _l("Other"),
}

ENTRY_KINDS = {"income": _l("Income"), "expense": _l("Expense")}

STATUSES = {"paid": _l("Paid"), "pending": _l("Pending"), "overdue": _l("Overdue")}
