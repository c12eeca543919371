"""The report endpoints' answers (docs/api.md, "Reports"): FinanceFlow's monthly figures
(total_income, total_expenses, net_savings, by_category, daily_spending) beside Finora's
own (savings rate, subcategories, the comparisons), and the year month by month. Every
figure is read from finora.services.reports' MonthReport and YearReport, the ones the
report pages and the exports print."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from finora.api.serialize import day, money
from finora.api.spec import Day, Money, Out
from finora.models import Entry
from finora.services.reports.month_report import Change, Comparison, MonthReport
from finora.services.reports.totals import CategoryLine, Totals
from finora.services.reports.year_report import YearReport

SHARE_STEP = Decimal("0.001")
# A fraction written to 0.001 ("0.125" is 12.5 %), negative for a fall.
Fraction = Annotated[str, Field(pattern=r"^-?\d+\.\d{3}$", examples=["0.125"])]


# ---- query parameters -------------------------------------------------------------------


class MonthlyQuery(BaseModel):
    model_config = ConfigDict(defer_build=True)  # built when first used (spec.Out says why)

    year: int | None = Field(default=None, description="Default: the household's current year.")
    month: int | None = Field(default=None, ge=1, le=12,
                              description="1 to 12. Default: the household's current month.")


class YearlyQuery(BaseModel):
    model_config = ConfigDict(defer_build=True)

    year: int | None = Field(default=None, description="Default: the household's current year.")


# ---- answers ----------------------------------------------------------------------------


class SubcategoryOut(Out):
    subcategory_id: int | None  # null: the category's entries without a subcategory
    name: str
    amount: Money


class CategoryOut(Out):
    category_id: int
    name: str
    kind: str  # "income" | "expense"
    amount: Money
    share: Fraction  # of the month's (year's) total of its kind
    subcategories: list[SubcategoryOut]


class DayOut(Out):
    date: Day
    amount: Money  # every expense dated that day, paid or not
    cumulative: Money  # the period's expenses up to and including that day


class ComparisonOut(Out):
    year: int
    month: int
    income: Money
    expenses: Money
    net: Money
    income_difference: Money
    expenses_difference: Money
    net_difference: Money
    income_change: Fraction | None  # null: the other month had none
    expenses_change: Fraction | None
    net_change: Fraction | None


class MonthlyReportOut(Out):
    year: int
    month: int
    currency: str
    start: Day
    end: Day
    total_income: Money
    total_expenses: Money
    net_savings: Money
    savings_rate: Fraction | None
    entry_count: int
    by_category: list[CategoryOut]
    daily_spending: list[DayOut]
    previous_month: ComparisonOut
    same_month_last_year: ComparisonOut


class MonthLineOut(Out):
    month: int
    income: Money
    expenses: Money
    net: Money
    savings_rate: Fraction | None
    entry_count: int


class TotalsOut(Out):
    income: Money
    expenses: Money
    net: Money
    savings_rate: Fraction | None
    entry_count: int


class HeatRowOut(Out):
    category_id: int
    name: str
    months: list[Money]  # twelve figures, January first
    amount: Money


class LargestLineOut(Out):
    category_id: int
    subcategory_id: int | None
    amount: Money
    note: str | None


class LargestOut(Out):
    entry_id: int
    date: Day
    description: str
    amount: Money
    account_id: int
    category_id: int | None  # null for a split entry: its categories are in `lines`
    split: bool
    lines: list[LargestLineOut]


class YearlyReportOut(Out):
    year: int
    currency: str
    total_income: Money
    total_expenses: Money
    net_savings: Money
    savings_rate: Fraction | None
    totals: TotalsOut
    months: list[MonthLineOut]
    by_category: list[CategoryOut]
    expenses_by_month: list[HeatRowOut]
    largest_expenses: list[LargestOut]
    largest_incomes: list[LargestOut]


# ---- serializers ------------------------------------------------------------------------


def fraction(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return str(Decimal(value).quantize(SHARE_STEP, rounding=ROUND_HALF_UP))


def _share(part: Decimal, whole: Decimal) -> str:
    return fraction(part / whole if whole else Decimal(0))


def categories(lines: list[CategoryLine], totals: Totals) -> list[dict[str, Any]]:
    whole = {"income": totals.income, "expense": totals.expense}
    return [
        {
            "category_id": line.category_id,
            "name": line.label,
            "kind": line.kind,
            "amount": money(line.total),
            "share": _share(line.total, whole[line.kind]),
            "subcategories": [
                {"subcategory_id": sub.id, "name": sub.label, "amount": money(sub.total)}
                for sub in line.subcategories
            ],
        }
        for line in lines
    ]


def _change(name: str, change: Change) -> dict[str, Any]:
    return {f"{name}_difference": money(change.difference), f"{name}_change": fraction(change.percent)}


def comparison(other: Comparison) -> dict[str, Any]:
    return {
        "year": other.year,
        "month": other.month,
        "income": money(other.totals.income),
        "expenses": money(other.totals.expense),
        "net": money(other.totals.net),
        **_change("income", other.income),
        **_change("expenses", other.expense),
        **_change("net", other.net),
    }


def monthly(report: MonthReport, currency: str) -> dict[str, Any]:
    totals = report.totals
    return {
        "year": report.year,
        "month": report.month,
        "currency": currency,
        "start": day(report.start),
        "end": day(report.end),
        "total_income": money(totals.income),
        "total_expenses": money(totals.expense),
        "net_savings": money(totals.net),
        "savings_rate": fraction(totals.savings_rate),
        "entry_count": totals.count,
        "by_category": categories(report.income_categories + report.expense_categories, totals),
        "daily_spending": [
            {"date": day(line.day), "amount": money(line.expense), "cumulative": money(line.cumulative)}
            for line in report.timeline
        ],
        "previous_month": comparison(report.previous),
        "same_month_last_year": comparison(report.last_year),
    }


def _totals(totals: Totals) -> dict[str, Any]:
    return {
        "income": money(totals.income),
        "expenses": money(totals.expense),
        "net": money(totals.net),
        "savings_rate": fraction(totals.savings_rate),
        "entry_count": totals.count,
    }


def _largest(entry: Entry) -> dict[str, Any]:
    """One of the year's largest entries. A split entry (the page's "Split") has no one
    category: `category_id` is null and `lines` gives each line's category and amount, as
    the year report's service loaded them."""
    split = bool(entry.splits)
    return {
        "entry_id": entry.id,
        "date": day(entry.date),
        "description": entry.description or "",
        "amount": money(entry.amount),
        "account_id": entry.account_id,
        "category_id": None if split else entry.category_id,
        "split": split,
        "lines": [
            {"category_id": line.category_id, "subcategory_id": line.subcategory_id,
             "amount": money(line.amount), "note": line.note}
            for line in entry.splits
        ],
    }


def yearly(report: YearReport, lines: list[CategoryLine], currency: str) -> dict[str, Any]:
    totals = report.totals
    return {
        "year": report.year,
        "currency": currency,
        "total_income": money(totals.income),
        "total_expenses": money(totals.expense),
        "net_savings": money(totals.net),
        "savings_rate": fraction(totals.savings_rate),
        "totals": _totals(totals),
        "months": [{"month": line.month, **_totals(line.totals)} for line in report.months],
        "by_category": categories(lines, totals),
        "expenses_by_month": [
            {"category_id": row.category_id, "name": row.label,
             "months": [money(cell) for cell in row.months], "amount": money(row.total)}
            for row in report.heat
        ],
        "largest_expenses": [_largest(entry) for entry in report.largest_expenses],
        "largest_incomes": [_largest(entry) for entry in report.largest_incomes],
    }


# ---- net worth --------------------------------------------------------------------------

YearMonth = Annotated[str, Field(pattern=r"^\d{4}-\d{2}$", examples=["2026-03"])]


class NetWorthQuery(BaseModel):
    model_config = ConfigDict(defer_build=True)

    from_: YearMonth | None = Field(
        default=None, alias="from",
        description="First month, YYYY-MM. Default: eleven months before `to`; never before "
                    "the earliest account's opening month.")
    to: YearMonth | None = Field(
        default=None, description="Last month, YYYY-MM. Default (and at most): the household's "
                                  "current month. At most 120 months in all.")


class NetWorthMonthOut(Out):
    month: str  # YYYY-MM
    date: Day  # the balances' day: the month's last, today for the current month
    assets: Money
    liabilities: Money  # owed on credit cards
    net_worth: Money
    change: Money | None  # null: no account was open the month before


class NetWorthOut(Out):
    currency: str
    start: str  # YYYY-MM, the months asked for
    end: str
    months: list[NetWorthMonthOut]  # oldest first; empty without accounts in the range


def net_worth(report, currency: str) -> dict[str, Any]:
    return {
        "currency": currency,
        "start": f"{report.first[0]:04d}-{report.first[1]:02d}",
        "end": f"{report.last[0]:04d}-{report.last[1]:02d}",
        "months": [
            {"month": m.label, "date": day(m.day), "assets": money(m.assets),
             "liabilities": money(m.liabilities), "net_worth": money(m.net), "change": money(m.change)}
            for m in report.months
        ],
    }
