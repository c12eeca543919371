"""The category name form (add and rename share it)."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from finora.services.ledger.catalogue import NAME_MAX_LENGTH
from finora.translation import lazy_gettext as _l
from finora.web.forms import Form


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CategoryForm(Form):
    name = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter a name.")),
            Length(
                max=NAME_MAX_LENGTH,
                message=_l("Use at most %(count)d characters.", count=NAME_MAX_LENGTH),
            ),
        ],
        render_kw={"maxlength": NAME_MAX_LENGTH, "autocomplete": "off"},
    )
