"""Recurring rules as CSV: download them in the user's locale, upload a file of new ones."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_wtf.file import FileField, FileRequired, FileSize

from finora.dates import today
from finora.extensions import db
from finora.i18n import current_language
from finora.services.rules_csv import RulesCsvError, export_rules_csv, import_rules_csv
from finora.services.rules_csv_format import COLUMNS, REQUIRED, Vocabulary
from finora.tenancy import require_household
from finora.translation import lazy_gettext as _l
from finora.translation import ngettext
from finora.web.forms import Form
from finora.web.labels import ENTRY_KINDS, PAYMENT_METHODS
from finora.web.rules import bp
from finora.web.rules.forms import FREQUENCIES, POLICIES

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
        description=_l("At most 1 MB. Rules exported from Finora can be imported as they are."),
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


@bp.route("/import", methods=["GET", "POST"])
def import_csv():
    household = require_household()
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        try:
            rules = import_rules_csv(
                db.session, household, form.file.data.read(), current_language(), WORDS
            )
        except RulesCsvError as error:
            db.session.rollback()  # nothing of the file is kept
            problems = error.problems
        else:
            db.session.commit()
            count = len(rules)
            flash(ngettext("%(num)d rule imported.", "%(num)d rules imported.", count), "success")
            return redirect(url_for("rules.index"))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "rules/import.html",
        form=form,
        problems=problems,
        columns=COLUMNS,
        required=REQUIRED,
    ), status
