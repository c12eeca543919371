"""The tag forms: rename one, merge one into another."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, InputRequired, Length

from finora.models.tag import TAG_NAME_MAX
from finora.translation import lazy_gettext as _l
from finora.web.fields import IdSelectField
from finora.web.forms import Form


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class TagNameForm(Form):
    name = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter a name.")),
            Length(max=TAG_NAME_MAX, message=_l("Use at most %(count)d characters.", count=TAG_NAME_MAX)),
        ],
        render_kw={"maxlength": TAG_NAME_MAX, "autocomplete": "off"},
    )


class TagMergeForm(Form):
    target_id = IdSelectField(
        _l("Merge into"),
        validators=[InputRequired(_l("Choose the tag to keep."))],
        description=_l("Its entries get the tag you choose; this one is removed."),
    )
