"""Flask-Migrate, imported when it is first used rather than as each worker starts.

`import flask_migrate` imports alembic, and alembic imports mako, pygments and the DDL code
of every SQLAlchemy dialect: about a tenth of a worker's start-up CPU and 8 MB, for what
only `flask db ...`, a backup's restore and `python app.py`'s own upgrade run. `Migrate`
here stands in for `flask_migrate.Migrate`: `app.extensions["migrate"]` answers `directory`
and `db` at once (the schema checks read the folder), and anything else from
Flask-Migrate's own config, made on first use with the same arguments; `flask db` loads
Flask-Migrate's commands when it runs.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask


class Migrate:
    """`migrate.init_app(app, db, directory=..., **alembic_options)`, as Flask-Migrate's."""

    def init_app(self, app: Flask, db: Any, directory: str, **options: Any) -> None:
        app.extensions["migrate"] = MigrateConfig(db, str(directory), options)
        app.cli.add_command(_MigrationCommands("db", help="Perform database migrations."))


class MigrateConfig:
    """What Flask-Migrate keeps in `app.extensions["migrate"]` (its `_MigrateConfig`:
    `migrate`, `configure_args`, `metadata`), made when one of them is first asked for."""

    def __init__(self, db: Any, directory: str, options: dict[str, Any]) -> None:
        self.db = db
        self.directory = directory
        self._options = options
        self._config: Any = None

    def __getattr__(self, name: str) -> Any:
        # Only called for what __init__ did not set.
        if name.startswith("__") or name in ("_options", "_config"):
            raise AttributeError(name)
        if self._config is None:
            from flask_migrate import Migrate as FlaskMigrate
            from flask_migrate import _MigrateConfig

            migrate = FlaskMigrate(db=self.db, directory=self.directory, **self._options)
            self._config = _MigrateConfig(migrate, self.db, **migrate.alembic_ctx_kwargs)
        return getattr(self._config, name)


class _MigrationCommands(click.Group):
    """`flask db ...`: Flask-Migrate's own command group, imported when a command runs (or
    is listed); the context it makes is the real group's, so it parses and runs as before."""

    @staticmethod
    def _real() -> click.Group:
        from flask_migrate.cli import db

        return db

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[override]
        return self._real().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._real().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._real().get_command(ctx, cmd_name)
