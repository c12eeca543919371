"""Finora: a self-hosted household finance app. create_app wires; it never queries."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from config import load_config
from finora.translation import lazy_gettext as _l
from finora.version import __version__

BASE_DIR = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    """Build the application; `overrides` replaces configuration values (tests use it)."""
    overrides = dict(overrides or {})
    config = load_config(overrides.pop("FINORA_ENV", None))
    for key, value in overrides.items():
        setattr(config, key, value)
    config.finalise()

    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
    )
    app.config.from_object(config)
    app.config["ENV_NAME"] = config.ENV_NAME
    app.config["VERSION"] = __version__

    from finora.logs import configure_logging

    configure_logging(app)
    _register_extensions(app)
    from finora.web.converters import register_converters
    from finora.web.url_rules import use_lazy_url_builders

    register_converters(app)  # before the blueprints add their `<int:...>` rules
    use_lazy_url_builders(app)  # and before their rules are added, too
    _register_blueprints(app)
    _register_template_helpers(app)

    from finora.cli import register_cli
    from finora.security import init_security_headers
    from finora.web.errors import register_error_handlers

    init_security_headers(app)
    register_error_handlers(app)
    from finora.web.schema_guard import register_schema_guard

    register_schema_guard(app)  # 503 with what to run while the schema is behind
    register_cli(app)

    from finora.jobs import init_scheduler

    init_scheduler(app)
    if app.config.get("TRUSTED_PROXIES"):
        from finora.proxies import TrustedProxies

        app.wsgi_app = TrustedProxies(
            app.wsgi_app, int(app.config["TRUSTED_PROXIES"]), app.config["FORWARDED_ALLOW_IPS"]
        )

    from finora.startup import log_startup_notes

    log_startup_notes(app)
    return app


def _register_extensions(app: Flask) -> None:
    import finora.database
    import finora.models  # noqa: F401 - registers every model on the metadata
    from finora.extensions import babel, csrf, db, limiter, login_manager, migrate
    from finora.i18n import select_locale, select_timezone
    from finora.translation import install_in_templates

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    install_in_templates(app.jinja_env)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load_user(user_id: str):
        # "<user id>:<session token>": only a live UserSession of an active account signs
        # in, so revoking a session (or disabling the account) ends it, remember-me included.
        from finora.web.auth.signin import load_session_user

        return load_session_user(user_id)


def _register_blueprints(app: Flask) -> None:
    from finora.web.accounts import bp as accounts_bp
    from finora.web.admin import bp as admin_bp
    from finora.web.ai import bp as ai_bp
    from finora.web.assets import bp as assets_bp
    from finora.web.auth import bp as auth_bp
    from finora.web.backups import bp as backups_bp
    from finora.web.budgets import bp as budgets_bp
    from finora.web.categories import bp as categories_bp
    from finora.web.categorisation_rules import bp as categorisation_rules_bp
    from finora.web.dashboard import bp as dashboard_bp
    from finora.web.email_import import bp as email_import_bp
    from finora.web.entries import bp as entries_bp
    from finora.web.exports import bp as exports_bp
    from finora.web.forecasting import bp as forecasting_bp
    from finora.web.goals import bp as goals_bp
    from finora.web.household import bp as household_bp
    from finora.web.imports import bp as imports_bp
    from finora.web.metrics import bp as metrics_bp
    from finora.web.payees import bp as payees_bp
    from finora.web.profile import bp as profile_bp
    from finora.web.public import bp as public_bp
    from finora.web.pwa import bp as pwa_bp
    from finora.web.reports import bp as reports_bp
    from finora.web.rules import bp as rules_bp
    from finora.web.tags import bp as tags_bp
    from finora.web.transactions import bp as transactions_bp
    from finora.web.transfers import bp as transfers_bp
    from finora.web.undo import bp as undo_bp
    from finora.web.updates import bp as updates_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(assets_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(accounts_bp, url_prefix="/accounts")
    app.register_blueprint(entries_bp, url_prefix="/entries")
    app.register_blueprint(transfers_bp, url_prefix="/transfers")
    app.register_blueprint(transactions_bp)
    app.register_blueprint(undo_bp)
    app.register_blueprint(imports_bp, url_prefix="/imports")
    app.register_blueprint(exports_bp, url_prefix="/exports")
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(categories_bp, url_prefix="/categories")
    app.register_blueprint(payees_bp, url_prefix="/payees")
    app.register_blueprint(tags_bp, url_prefix="/tags")
    app.register_blueprint(categorisation_rules_bp, url_prefix="/categorisation-rules")
    app.register_blueprint(rules_bp, url_prefix="/rules")
    app.register_blueprint(budgets_bp, url_prefix="/budgets")
    app.register_blueprint(goals_bp, url_prefix="/goals")
    app.register_blueprint(forecasting_bp)
    app.register_blueprint(household_bp)
    app.register_blueprint(backups_bp, url_prefix="/backups")
    app.register_blueprint(email_import_bp, url_prefix="/household/email-import")
    app.register_blueprint(ai_bp, url_prefix="/household/ai")
    app.register_blueprint(pwa_bp)
    app.register_blueprint(profile_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")

    from finora.api import register_api

    register_api(app)
    app.register_blueprint(updates_bp)
    app.register_blueprint(metrics_bp)


def _register_template_helpers(app: Flask) -> None:
    from flask_babel import format_datetime, format_decimal, format_percent

    from finora.i18n import LANGUAGES, current_language, date_filter, money_filter
    from finora.tenancy import current_household, current_membership

    app.jinja_env.filters["money"] = money_filter
    app.jinja_env.filters["date"] = date_filter
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["percent"] = lambda value: format_percent(value, "#,##0.0%")
    app.jinja_env.filters["decimal"] = lambda value, places=2: format_decimal(
        value, "#,##0." + "0" * places if places else "#,##0"
    )
    from finora.web import labels
    from finora.web.forecasting import labels as forecast_labels
    from finora.web.navigation import row_url, row_url_with, safe_next, url_with
    from finora.web.profile.sections import sections_for
    from finora.web.row_text import transaction_row_text

    app.jinja_env.globals.update(
        ACCOUNT_KIND_LABELS=labels.ACCOUNT_KINDS,
        PAYMENT_METHOD_LABELS=labels.PAYMENT_METHODS,
        ENTRY_KIND_LABELS=labels.ENTRY_KINDS,
        STATUS_LABELS=labels.STATUSES,
        FORECAST_BANDS=forecast_labels.BANDS,
        profile_sections=sections_for,
        url_with=url_with,
        row_url=row_url,
        row_url_with=row_url_with,
        transaction_row_text=transaction_row_text,
        safe_next=safe_next,
        LANGUAGES=LANGUAGES,
        current_language=current_language,
        current_household=current_household,
        current_membership=current_membership,
        finora_version=__version__,
    )
