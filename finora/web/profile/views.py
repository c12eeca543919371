"""The profile overview: every section with its status, linking to its page."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from finora.web.profile import bp
from finora.web.profile.sections import sections_for


@bp.get("/profile")
def index():
    user = current_user._get_current_object()
    cards = [(section, section.summary(user) if section.summary else None) for section in sections_for(user)]
    return render_template("profile/index.html", cards=cards)


# Section modules register themselves when imported (keep this list in order).
from finora.web.profile import section_modules  # noqa: E402,F401
