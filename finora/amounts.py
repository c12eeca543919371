"""The money constants, in a module with no Flask or database imports, so finora/money.py
and the pure forecast engine (finora/forecast/) share one definition."""

from decimal import Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# A ceiling far above any household amount that still sums safely in a 64-bit column.
MAX_AMOUNT = Decimal("999999999999.99")
