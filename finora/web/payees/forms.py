"""The payee forms: rename one, merge one into another."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, InputRequired, Length

from finora.models.tag import PAYEE_NAME_MAX
from finora.translation import lazy_gettext as _l
from finora.web.fields import IdSelectField
from finora.web.forms import Form


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PayeeNameForm(Form):
    name = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter a name.")),
            Length(max=PAYEE_NAME_MAX, message=_l("Use at most %(count)d characters.", count=PAYEE_NAME_MAX)),
        ],
        render_kw={"maxlength": PAYEE_NAME_MAX, "autocomplete": "off"},
    )


class PayeeMergeForm(Form):
    target_id = IdSelectField(
        _l("Merge into"),
        validators=[InputRequired(_l("Choose the payee to keep."))],
        description=_l("Its entries and learned descriptions move to the payee you choose; this one is removed."),
    )
