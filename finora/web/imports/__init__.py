"""Import: a file of bank movements or a spreadsheet becomes entries, in steps (upload,
column mapping for spreadsheets, review, commit) with nothing written before the last one;
batches can be undone. Editors and owners only: a viewer sees none of it."""

from flask import Blueprint, request
from flask_login import login_required

from finora.models import ImportBatch, ImportProfile
from finora.tenancy import get_owned_or_404
from finora.web.permissions import ViewerRefusedError, can_write

bp = Blueprint("imports", __name__)

_NAMED = {"batch_id": ImportBatch, "profile_id": ImportProfile}


@bp.before_request
@login_required
def _writers_only():
    """Every page here, reading ones included, is for those who may write the ledger.

    Another household's batch or profile stays a 404 (ids never leak), as in the global
    guard; everything else a viewer asks for here is a 403."""
    if can_write():
        return None
    for key, model in _NAMED.items():
        value = (request.view_args or {}).get(key)
        if isinstance(value, int):
            get_owned_or_404(model, value)
    raise ViewerRefusedError()


from finora.web.imports import (  # noqa: E402,F401
    batch_views,
    mapping_views,
    review_views,
    upload_views,
)
