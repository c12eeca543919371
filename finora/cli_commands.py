"""What every `flask finora …` command shares: one line for an error, English output.

Scripts and monitors read the commands' output: a bad option or a refused operation ends
with one line ("Error: …") and exit code 1, never click's usage block or a traceback."""

from __future__ import annotations

import click
from flask_babel import force_locale

from finora.errors import FinoraError
from finora.extensions import db


def fail(message) -> click.ClickException:
    """An error of one line: a translated message's line breaks and runs of spaces folded."""
    return click.ClickException(" ".join(str(message).split()))


class OneLineCommand(click.Command):
    """Bad options end with one line ("Error: ..."), not click's usage block."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise click.ClickException(error.format_message()) from None


class EnglishCommand(OneLineCommand):
    """Also: the command speaks English, and a domain error (FinoraError) or a click error
    rolls the session back and ends with one line. A group sets `error_message` to add what
    to do next to a domain error."""

    @staticmethod
    def error_message(error: FinoraError) -> str:
        return str(error.message)

    def invoke(self, ctx: click.Context):
        with force_locale("en"):
            try:
                return super().invoke(ctx)
            except FinoraError as error:
                db.session.rollback()
                raise fail(self.error_message(error)) from None
            except click.ClickException:
                db.session.rollback()
                raise
