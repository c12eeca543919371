"""Profile section "This device": whether this browser keeps the read-only pages its person
opens for reading offline. The choice lives on the device (localStorage, read by
static/js/pwa.js and passed to the service worker), never on the server: each phone or
computer decides for itself, and it starts off."""

from __future__ import annotations

from flask import render_template

from finora.translation import lazy_gettext as _l
from finora.web.profile import bp
from finora.web.profile.sections import Section, register


@bp.get("/profile/device")
def device():
    return render_template("profile/device.html")


register(Section("device", _l("This device"), "profile.device", "bi-phone", 35))
