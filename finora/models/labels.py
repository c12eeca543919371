"""Translated labels for the ledger's fixed vocabularies (kinds, payment methods, statuses,
frequencies): shared by the pages and the services that write files (exports)."""

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

# The kinds of the transaction lists' type filter: a transfer is neither income nor expense.
TRANSACTION_KINDS = {**ENTRY_KINDS, "transfer": _l("Transfer")}

# What an entry's status reads as (Entry.shown_status): income is received, or not yet —
# said plainly, never as a red "overdue".
STATUSES = {
    "paid": _l("Paid"),
    "pending": _l("Pending"),
    "overdue": _l("Overdue"),
    "received": _l("Received"),
    "not_received": _l("Not received"),
}

# The status filter's choices: one status per choice, named for both kinds.
STATUS_FILTERS = {
    "paid": _l("Paid / received"),
    "pending": _l("Pending"),
    "overdue": _l("Overdue / not received"),
}

# How often a recurring rule repeats (the rule form, the entry form's "repeat", the rules CSV).
FREQUENCIES = {
    "once": _l("Once"),
    "daily": _l("Daily"),
    "weekly": _l("Weekly"),
    "biweekly": _l("Every two weeks"),
    "monthly": _l("Monthly"),
    "quarterly": _l("Quarterly"),
    "yearly": _l("Yearly"),
}
