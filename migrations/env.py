"""Alembic environment for Finora (run through Flask-Migrate: `flask db ...`)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name and not logging.getLogger("finora").handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url", target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def render_item(type_, obj, autogen_context):
    """Write Finora's column types as their plain SQL types, so migrations stand alone."""
    if type_ == "type":
        from finora.models.base import UTCDateTime
        from finora.money import Cents

        if isinstance(obj, Cents):
            return "sa.BigInteger()"
        if isinstance(obj, UTCDateTime):
            return "sa.DateTime()"
    return False


def _options() -> dict:
    return {
        "target_metadata": target_db.metadata,
        "render_item": render_item,
        "compare_type": True,
        **current_app.extensions["migrate"].configure_args,
    }


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **_options())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    options = _options()
    options.setdefault("process_revision_directives", process_revision_directives)
    with target_db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a table (a new constraint, a foreign key) by copying it and
            # dropping the old one (batch mode); with foreign keys enforced, dropping a table
            # that other rows point to fails. They are off while migrating (the PRAGMA works
            # only outside a transaction) and every key is checked before the commit.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            context.configure(connection=connection, **options)
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _check_foreign_keys(connection)
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def _check_foreign_keys(connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, rowid, parent, _key = broken[0]
        raise RuntimeError(
            f"the migration left {len(broken)} row(s) pointing to nothing, e.g. {table} row "
            f"{rowid} -> {parent}: nothing was committed"
        )


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
