"""Help: the user documentation shipped in docs/, shown as plain text.

Only the pages named in DOCS can be opened; the URL picks a key of that list, never a
path, so nothing else on the server can be read through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app, render_template

from finora.translation import lazy_gettext as _l
from finora.web.updates import bp

# The longest page shown whole; a bigger file (a bad deployment) is cut, not streamed.
MAX_DOC_CHARS = 200_000


@dataclass(frozen=True)
class Doc:
    key: str
    file: str  # a file name in docs/
    title: object  # a lazy_gettext string
    summary: object


DOCS = (
    Doc("backups", "backups.md", _l("Backups and restore"),
        _l("What a backup holds, schedules, encryption, restoring a household or the whole server.")),
    Doc("import", "import.md", _l("Import"),
        _l("Bank statements and spreadsheets: formats, column mapping, duplicates, undo.")),
    Doc("reports", "reports.md", _l("Reports and exports"),
        _l("The month, year, budget and account reports, and the CSV, XLSX, TXT and PDF files.")),
    Doc("forecast", "forecast.md", _l("Forecast and cash risk"),
        _l("What the forecast counts and how the cash risk score is made.")),
    Doc("security", "security.md", _l("Security"),
        _l("What Finora protects, from whom, and how: sign-in, two-factor, passkeys, sessions.")),
    Doc("updates", "updates.md", _l("Updates"),
        _l("How updates are checked, signed and applied, and how a failed one is put back.")),
    Doc("monitoring", "monitoring.md", _l("Health and monitoring"),
        _l("Health checks and Prometheus metrics for whoever runs the server.")),
)
DOCS_BY_KEY = {doc.key: doc for doc in DOCS}


def docs_dir() -> Path:
    """docs/ of the running code (beside the finora package)."""
    return Path(current_app.root_path).parent / "docs"


def available_docs() -> list[Doc]:
    """The listed pages this installation actually has (a trimmed install may lack some)."""
    folder = docs_dir()
    return [doc for doc in DOCS if (folder / doc.file).is_file()]


def read_doc(doc: Doc) -> str | None:
    try:
        with (docs_dir() / doc.file).open(encoding="utf-8", errors="replace") as handle:
            return handle.read(MAX_DOC_CHARS)
    except OSError:
        return None


@bp.get("/help")
def help_index():
    return render_template("updates/help.html", docs=available_docs())


@bp.get("/help/<name>")
def help_page(name: str):
    doc = DOCS_BY_KEY.get(name)
    text = read_doc(doc) if doc is not None else None
    if text is None:
        abort(404)
    return render_template("updates/help_page.html", doc=doc, text=text, docs=available_docs())
