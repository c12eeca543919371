"""`flask finora ...` commands: thin wrappers over services."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from finora.errors import FinoraError
from finora.extensions import db
from finora.services.registration import bootstrap_admin

finora_cli = AppGroup("finora", help="Finora administration commands.")


@finora_cli.command("bootstrap")
def bootstrap_command() -> None:
    """Create the admin from BOOTSTRAP_ADMIN_EMAIL/PASSWORD when both are set."""
    email = current_app.config["BOOTSTRAP_ADMIN_EMAIL"]
    password = current_app.config["BOOTSTRAP_ADMIN_PASSWORD"]
    if not email or not password:
        click.echo("No BOOTSTRAP_ADMIN_EMAIL/PASSWORD set: the first user to sign up becomes admin.")
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


def register_cli(app: Flask) -> None:
    app.cli.add_command(finora_cli)
