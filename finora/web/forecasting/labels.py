"""Translated names and colours of the cash risk bands and factors."""

from __future__ import annotations

from finora.translation import lazy_gettext as _l

# band -> (label, CSS modifier: text-bg-* / border-* colour)
BANDS = {
    "safe": (_l("Safe"), "success"),
    "stable": (_l("Stable"), "primary"),
    "watch": (_l("Watch"), "warning"),
    "risk": (_l("Risk"), "orange"),
    "critical": (_l("Critical"), "danger"),
}

FACTORS = {
    "runway": (_l("Cash runway"), _l("days of expenses the current balance covers")),
    "lowest": (_l("Lowest projected balance"), _l("lowest balance ÷ 30 days of expenses")),
    "days_to_lowest": (_l("Days until the lowest balance"), _l("days from today")),
    "volatility": (_l("Volatility"), _l("(highest − lowest) ÷ current balance")),
}
