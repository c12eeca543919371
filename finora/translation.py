"""gettext for Finora's code and templates: Flask-Babel's catalogues and semantics, found
faster.

Flask-Babel looks the request's catalogue up through several context lookups on every
call (about 7 µs here), and a page with a 50-row table makes hundreds of calls: labels,
buttons, lazy category and status names. The catalogue is remembered here for the request
next to Flask-Babel's own state, tied to the locale object it was found for, so
`force_locale` (an e-mail in the recipient's language) and `refresh` (a language switch)
are followed exactly as Flask-Babel follows them. No Finora imports: every module may
import this one.
"""

from __future__ import annotations

from flask import g
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString


def held_for_locale(name: str, compute):
    """`compute()` once per Flask-Babel locale object, kept beside Flask-Babel's own
    per-request state under `name`: a `force_locale` or `refresh` changes the locale object,
    so the value is computed afresh at once. Outside an app context it is computed each time."""
    try:
        state = g._flask_babel  # Flask-Babel's per-request namespace
        held = getattr(state, name)
        if held[0] is state.babel_locale:
            return held[1]
    except (AttributeError, RuntimeError):  # not looked up yet; no app context
        pass
    value = compute()
    try:
        setattr(g._flask_babel, name, (get_locale(), value))
    except (AttributeError, RuntimeError):
        pass
    return value


def current_translations():
    """The catalogue of the current locale (a null one outside any app context)."""
    return held_for_locale("finora_translations", get_translations)


def gettext(string: str, **variables) -> str:
    text = current_translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return current_translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """Translated when shown, in the language of that moment (module-level messages)."""
    return LazyString(gettext, string, **variables)


def install_in_templates(jinja_env) -> None:
    """Templates' `_` and `ngettext` use the remembered catalogue too (after Flask-Babel's
    own set-up, which this replaces; pgettext stays Flask-Babel's)."""
    from flask_babel import npgettext, pgettext

    jinja_env.install_gettext_callables(
        gettext=lambda string: current_translations().ugettext(string),
        ngettext=lambda singular, plural, num: current_translations().ungettext(singular, plural, num),
        pgettext=pgettext,
        npgettext=npgettext,
        newstyle=True,
    )
