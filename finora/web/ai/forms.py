"""The AI settings form: the key is never filled in (blank keeps the stored one)."""

from __future__ import annotations

from wtforms import PasswordField, StringField
from wtforms.validators import Length, Optional

from finora.services.integrations.ai.settings import BASE_URL_MAX, KEY_MAX, MODEL_MAX
from finora.translation import lazy_gettext as _l
from finora.web.forms import Form


class AiSettingsForm(Form):
    api_key = PasswordField(
        _l("OpenAI API key"),
        validators=[Optional(), Length(max=KEY_MAX)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    model = StringField(
        _l("Model"),
        validators=[Optional(), Length(max=MODEL_MAX)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    base_url = StringField(
        _l("Base URL (optional)"),
        validators=[Optional(), Length(max=BASE_URL_MAX)],
        description=_l("Leave blank for OpenAI. For an OpenAI-compatible server, its address "
                       "ending in /v1, such as http://127.0.0.1:11434/v1."),
        render_kw={"autocomplete": "off", "spellcheck": "false", "inputmode": "url"},
    )
