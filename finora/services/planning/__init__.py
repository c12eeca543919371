"""Planning: what the household expects and aims for.

Recurring rules and their CSV import/export, posting of due occurrences, skips and pauses,
budgets, their periods and rollover (budget_rollover), savings goals, and the household
forecast fed to the pure engine in finora/forecast (with the accounts it counts). Not here:
what already happened (ledger/), the engine itself (finora/forecast, no database).
"""
