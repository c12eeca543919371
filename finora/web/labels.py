"""The ledger's translated labels, for the pages: the table lives in finora.models.labels
(the exports write the same words)."""

from __future__ import annotations

from finora.models.labels import (
    ACCOUNT_KINDS,
    ENTRY_KINDS,
    FREQUENCIES,
    PAYMENT_METHODS,
    STATUS_FILTERS,
    STATUSES,
    TRANSACTION_KINDS,
)

__all__ = [
    "ACCOUNT_KINDS",
    "ENTRY_KINDS",
    "FREQUENCIES",
    "PAYMENT_METHODS",
    "STATUSES",
    "STATUS_FILTERS",
    "TRANSACTION_KINDS",
]
