"""`flask finora forecast`: the cash-flow forecast of a RULES.json file, printed as JSON."""

from __future__ import annotations

import json

import click

from finora.business_days import BusinessCalendar, supported_countries
from finora.cli_commands import OneLineCommand
from finora.forecast.projection import DEFAULT_HORIZON_DAYS, MAX_HORIZON_DAYS
from finora.forecast.report import forecast_report
from finora.forecast.rules_json import RulesError, load_rules, parse_amount, parse_date


def _today(ctx, param, value: str):
    try:
        return parse_date(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _balance(ctx, param, value: str):
    try:
        return parse_amount(value, allow_negative=True)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _country(ctx, param, value: str | None):
    if value is None:
        return None
    code = value.strip().upper()
    if code not in supported_countries():
        raise click.BadParameter(f"unknown or unsupported country code '{value}'")
    return code


@click.command("forecast", cls=OneLineCommand)
@click.option("--input", "source", type=click.File("r", encoding="utf-8"), required=True,
              help="RULES.json (a list of rules), or - for standard input.")
@click.option("--today", required=True, callback=_today, help="First day, YYYY-MM-DD.")
@click.option("--balance", required=True, callback=_balance,
              help="Balance at the start of --today, e.g. 1250.00 or -80.50.")
@click.option("--days", type=click.IntRange(1, MAX_HORIZON_DAYS), default=DEFAULT_HORIZON_DAYS,
              show_default=True, help="Days to project, today included.")
@click.option("--country", callback=_country,
              help="ISO country code whose public holidays are non-business days "
                   "(default: weekends only).")
@click.option("--timing", is_flag=True, help="Add the engine's time in milliseconds.")
def forecast_command(source, today, balance, days, country, timing) -> None:
    """Print the forecast of RULES.json as JSON (occurrences, daily balances, risk)."""
    try:
        text = source.read()
    except (OSError, UnicodeDecodeError) as error:
        raise click.ClickException(f"Cannot read --input: {error}") from None
    try:
        rules = load_rules(text)
    except RulesError as error:
        raise click.ClickException(str(error)) from None
    try:
        report = forecast_report(
            rules, balance, today, days, BusinessCalendar(country), timing=timing
        )
    except (ValueError, OverflowError) as error:  # e.g. a horizon past the year 9999
        raise click.ClickException(f"Cannot project: {error}") from None
    click.echo(json.dumps(report, indent=2, ensure_ascii=False))
