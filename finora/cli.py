"""`flask finora ...` commands: thin wrappers over services."""

from __future__ import annotations

import random
import secrets
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from finora.cli_backup import backup_cli
from finora.cli_forecast import forecast_command
from finora.cli_import import import_command
from finora.cli_update import update_cli
from finora.dates import today
from finora.errors import FinoraError
from finora.extensions import db
from finora.models import Household, Membership, User
from finora.models.user import LOCALES
from finora.services.people.default_user import seed_default_user
from finora.services.people.registration import (
    DEFAULT_CURRENCY,
    DEFAULT_TIMEZONE,
    SignupData,
    admin_status,
    bootstrap_admin,
    normalise_email,
    register_user,
)

finora_cli = AppGroup("finora", help="Finora administration commands.")


@finora_cli.command("bootstrap")
def bootstrap_command() -> None:
    """Create the admin from BOOTSTRAP_ADMIN_EMAIL/PASSWORD when both are set, then the
    default user of a local run when ENABLE_DEFAULT_USER_SEED asks for one."""
    _bootstrap_admin()
    seed_default_user_now()


def seed_default_user_now() -> None:
    """The default user (finora/services/people/default_user.py), committed; the service
    logs why when it creates none."""
    try:
        seed_default_user(db.session, current_app.config)
    except FinoraError as error:  # another process created the address meanwhile
        db.session.rollback()
        with force_locale("en"):
            reason = str(error.message)
        click.echo(f"Default user not created: {reason}", err=True)
        return
    db.session.commit()


def _bootstrap_admin() -> None:
    email = current_app.config["BOOTSTRAP_ADMIN_EMAIL"]
    password = current_app.config["BOOTSTRAP_ADMIN_PASSWORD"]
    if not email or not password:
        # Said only while there is no admin: every `make run` and container start runs this.
        status = admin_status(db.session)
        if status == "empty":
            click.echo(
                "No BOOTSTRAP_ADMIN_EMAIL/PASSWORD set: the first user to sign up becomes admin."
            )
        elif status == "orphaned":
            click.echo(
                "No account is the instance admin: set BOOTSTRAP_ADMIN_EMAIL/PASSWORD (an "
                "existing account's e-mail promotes it) and run `flask finora bootstrap`."
            )
        return
    try:
        user = bootstrap_admin(db.session, email, password)
    except FinoraError as error:
        db.session.rollback()
        with force_locale("en"):  # the command line speaks English
            reason = str(error.message)
        raise click.ClickException(f"Cannot create the admin {email}: {reason}") from error
    db.session.commit()
    if user is None:
        click.echo(f"{email} already exists; it is an active admin.")
    else:
        click.echo(f"Created the admin {email}.")


DEMO_HOUSEHOLD = {"pt": "Família Demo", "en": "Demo household", "es": "Hogar demo"}


@finora_cli.command("seed")
@click.option("--email", help="Seed the household of this existing user (else create a new user).")
@click.option("--name", help="New user's name (default: Demo).")
@click.option("--household", "household_name", help="New household's name.")
@click.option("--locale", type=click.Choice(LOCALES), help="New user's language (default: pt).")
@click.option("--currency", help="New household's currency (default: from the language).")
@click.option("--years", type=click.IntRange(1, 50), default=2, show_default=True,
              help="Years of history, ending at --end.")
@click.option("--entries", "target", type=click.IntRange(min=1),
              help="About this many entries in total (scales the everyday spending).")
@click.option("--seed", "rng_seed", type=int, default=42, show_default=True, help="Random seed.")
@click.option("--end", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Last day of the history, YYYY-MM-DD (default: the household's today).")
def seed_command(email, name, household_name, locale, currency, years, target, rng_seed, end) -> None:
    """Fill a household with realistic demo data (accounts, entries, transfers)."""
    from finora.services.system.seed import refresh_statistics, seed_household

    password = None
    try:
        if email:
            given = [flag for flag, value in (("--name", name), ("--household", household_name),
                                               ("--locale", locale), ("--currency", currency)) if value]
            if given:
                raise click.UsageError(f"{', '.join(given)} only apply to a new user; drop --email.")
            user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
            if user is None:
                raise click.ClickException(f"No user with the e-mail {email}.")
            household = _household_of(user)
        else:
            locale = locale or "pt"
            password = secrets.token_urlsafe(12)
            data = SignupData(
                name=name or "Demo",
                email=f"demo-{secrets.token_hex(4)}@example.com",
                password=password,
                household_name=household_name or DEMO_HOUSEHOLD[locale],
                currency=(currency or DEFAULT_CURRENCY[locale]).upper(),
                locale=locale,
                timezone=DEFAULT_TIMEZONE[locale],
            )
            # Demo data: always open registration, whatever REGISTRATION_MODE says.
            user = register_user(db.session, data, mode="open")
            household = _household_of(user)
        last_day = end.date() if end else today(household)
        started = time.perf_counter()
        report = seed_household(
            db.session, household, years=years, end=last_day, rng=random.Random(rng_seed),  # noqa: S311 - demo data, seeded
            target_entries=target, locale=user.locale,
        )
    except FinoraError as error:
        db.session.rollback()
        with force_locale("en"):
            reason = str(error.message)
        raise click.ClickException(f"Cannot seed: {reason}") from error
    except click.ClickException:
        db.session.rollback()
        raise
    db.session.commit()
    try:
        refresh_statistics(db.session)
    except SQLAlchemyError as error:  # the data is in; stale statistics only slow queries
        db.session.rollback()
        click.echo(f"Could not refresh the planner statistics: {error}", err=True)
    elapsed = time.perf_counter() - started
    if password is not None:
        admin = " (the first user: also the instance admin)" if user.is_admin else ""
        click.echo(f"Created a new user{admin}:")
        click.echo(f"E-mail: {user.email}")
        click.echo(f"Password: {password}")
    click.echo(
        f"Seeded household {household.name!r} (id {household.id}) from {report.start} to {report.end}: "
        f"{report.entries} entries, {report.transfers} transfers, "
        f"{report.accounts_created} new accounts in {elapsed:.1f} s."
    )


def _household_of(user: User) -> Household:
    """The household the user owns (else the first one they belong to)."""
    memberships = sorted(user.memberships, key=lambda m: (m.role != "owner", m.id))
    if not memberships:
        raise click.ClickException(f"{user.email} belongs to no household.")
    membership: Membership = memberships[0]
    return membership.household


jobs_cli = AppGroup("jobs", help="Scheduled jobs (for deployments that prefer cron).")
finora_cli.add_command(jobs_cli)
finora_cli.add_command(forecast_command)
finora_cli.add_command(import_command)
finora_cli.add_command(backup_cli)
finora_cli.add_command(update_cli)


@jobs_cli.command("run")
@click.option("--force", is_flag=True, help="Run every job now, even if it ran recently.")
def jobs_run_command(force: bool) -> None:
    """Run the due jobs once (the same lease as the web processes keeps them exclusive).
    Prints each job's result and each household whose part of a run failed; exits with 1
    when anything failed, so cron or a monitor notices."""
    from finora.jobs import process_id, run_due_jobs
    from finora.services.system.job_status import job_statuses

    runs = run_due_jobs(db.session, f"cli:{process_id()}", force=force)
    if not runs:
        click.echo("Nothing ran: the jobs ran recently, or another process holds the lease.")
    # The lease kept every other process out, so each job's last run is the one just made.
    failures = {status.job: status.failures for status in job_statuses(db.session, [r.job for r in runs])}
    failed = False
    for run in runs:
        click.echo(f"{run.job}: {run.status}, {run.items} item(s)" + (f" — {run.error}" if run.error else ""))
        failed = failed or run.status != "success"
        for failure in failures.get(run.job, []):
            # A household's part was rolled back (the others posted): the run itself succeeded.
            click.echo(f"  household {failure.household_id} failed: {failure.run.error}")
            failed = True
    if failed:
        raise SystemExit(1)


def register_cli(app: Flask) -> None:
    app.cli.add_command(finora_cli)
