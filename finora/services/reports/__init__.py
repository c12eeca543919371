"""Reports: the one source of a period's figures for the dashboard, the report pages, the
exports and (later) the API.

- periods: the period a report or an export covers (month, year, range, all), read from
  query arguments (`parse_period`, `PeriodError`).
- totals: a period's income, expense, net, savings rate and count (`period_totals`, honouring
  the dashboard table's filters through `ledger.entry_filters`), several ranges in one
  query (`totals_by_range`), and totals by category and subcategory (`category_breakdown`).
- month_report, year_report: the month (categories, daily spending, comparisons) and the
  year (twelve months, expense heat table, largest entries).
- budget_report: budget against actual for a month or a year, from planning.budgets' sums.
- account_report: each account's opening balance, money in and out, transfers and closing
  balance by ledger.accounts' balance rule.

Figures only: no formatting, no layout (web/ and exports/ arrange them).
"""
