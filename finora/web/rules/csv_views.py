"""Recurring rules as CSV: download them in the user's locale, upload a file of new ones;
a file repeating rules already there asks whether to skip them before anything is saved."""

from __future__ import annotations

import base64

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_wtf.file import FileField, FileRequired, FileSize
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import BooleanField, HiddenField

from finora.dates import today
from finora.extensions import db
from finora.i18n import current_language
from finora.models import Household
from finora.services.planning.posting import PostedNow
from finora.services.planning.rules_csv import (
    DuplicateRulesFound,
    ImportOutcome,
    RulesCsvError,
    export_rules_csv,
    import_rules,
)
from finora.services.planning.rules_csv_format import COLUMNS, REQUIRED, Vocabulary
from finora.tenancy import require_household
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.translation import ngettext
from finora.web.form_token import FormTokenField, first_submission
from finora.web.forms import Form
from finora.web.labels import ENTRY_KINDS, FREQUENCIES, PAYMENT_METHODS
from finora.web.posted import flash_posted
from finora.web.rules import bp
from finora.web.rules.forms import POLICIES

MAX_FILE_BYTES = 1024 * 1024

WORDS = Vocabulary(
    kinds=ENTRY_KINDS, frequencies=FREQUENCIES, policies=POLICIES, payment_methods=PAYMENT_METHODS
)


class ImportForm(Form):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(_l("Choose a CSV file.")),
            FileSize(MAX_FILE_BYTES, message=_l("The file is larger than 1 MB.")),
        ],
        description=_l(
            "At most 1 MB. Rules exported from Finora, and PyCashFlow’s schedule export, can be "
            "imported as they are."
        ),
        render_kw={"accept": ".csv,text/csv"},
    )


@bp.get("/export.csv")
def export_csv():
    household = require_household()
    body = export_rules_csv(db.session, household, current_language(), WORDS)
    filename = f"finora-rules-{today(household).isoformat()}.csv"
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


class ConfirmImportForm(Form):
    """The second step of a file with duplicates: the file again (signed, so only what this
    household uploaded comes back) and the choice about the duplicates."""

    upload = HiddenField()
    skip_duplicates = BooleanField(
        _l("Skip the rules that are already there"),
        default=True,
        description=_l("Untick to import them anyway: they would then count twice."),
    )
    form_token = FormTokenField()


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="finora.rules-import")


def _sign_upload(household: Household, content: bytes, language: str) -> str:
    # URLSafeSerializer compresses what it signs: a 1,000-row file is a few kilobytes.
    return _serializer().dumps([household.id, language, base64.b64encode(content).decode("ascii")])


def _read_upload(household: Household, token: str) -> tuple[bytes, str]:
    try:
        household_id, language, encoded = _serializer().loads(token or "")
        content = base64.b64decode(encoded, validate=True)
    except (BadSignature, ValueError, TypeError):
        abort(400)
    if household_id != household.id:
        abort(400)
    return content, language


def _page(form, *, problems=(), duplicates=(), rows=0, confirm=None, status=200):
    return render_template(
        "rules/import.html",
        form=form,
        problems=problems,
        duplicates=duplicates,
        rows=rows,
        confirm=confirm,
        columns=COLUMNS,
        required=REQUIRED,
        kinds=ENTRY_KINDS,
        frequencies=FREQUENCIES,
    ), status


def _imported(outcome: ImportOutcome):
    count = len(outcome.rules)
    flash(ngettext("%(num)d rule imported.", "%(num)d rules imported.", count), "success")
    if outcome.skipped:
        flash(
            ngettext(
                "%(num)d rule already there was skipped.",
                "%(num)d rules already there were skipped.",
                len(outcome.skipped),
            ),
            "info",
        )
    posted = [o for done in outcome.posted for o in done.occurrences]
    flash_posted(
        PostedNow(
            sorted(posted, key=lambda o: (o.date, o.nominal)),
            any(done.more_due for done in outcome.posted),
        )
    )
    return redirect(url_for("rules.index"))


@bp.route("/import", methods=["GET", "POST"])
def import_csv():
    household = require_household()
    form = ImportForm()
    if form.validate_on_submit():
        content, language = form.file.data.read(), current_language()
        try:
            outcome = import_rules(db.session, household, content, language, WORDS)
        except RulesCsvError as error:
            db.session.rollback()  # nothing of the file is kept
            return _page(form, problems=error.problems, status=422)
        except DuplicateRulesFound as found:
            db.session.rollback()  # nothing is kept until the user chooses
            confirm = ConfirmImportForm(formdata=None)
            confirm.upload.data = _sign_upload(household, content, language)
            return _page(form, duplicates=found.duplicates, rows=found.rows, confirm=confirm)
        db.session.commit()
        return _imported(outcome)
    return _page(form, status=422 if form.is_submitted() else 200)


@bp.post("/import/confirm")
def confirm_import():
    household = require_household()
    confirm = ConfirmImportForm()
    if not confirm.validate_on_submit():
        # An expired page or token: nothing was saved, the file is simply uploaded again.
        flash(_("The import could not be confirmed, so nothing was imported. Upload the file again."), "warning")
        return redirect(url_for("rules.import_csv"))
    if not first_submission(confirm):
        return redirect(url_for("rules.index"))
    content, language = _read_upload(household, confirm.upload.data)
    choice = "skip" if confirm.skip_duplicates.data else "import"
    try:
        outcome = import_rules(db.session, household, content, language, WORDS, duplicates=choice)
    except RulesCsvError as error:
        # Something changed since the first step (an account archived, say): nothing is kept.
        db.session.rollback()
        return _page(ImportForm(formdata=None), problems=error.problems, status=422)
    db.session.commit()
    return _imported(outcome)
