"""Activity trails and the status page name roles and scheduled jobs in the reader's
language, never by their stored codes ("editor", "purge_unconfirmed_sign_ups")."""

from __future__ import annotations

import html
import re

from flask_babel import force_locale

from finora.extensions import db
from finora.jobs import JOBS
from finora.models import AuditEvent
from finora.services.people.invitations import invite
from finora.services.people.members import change_role
from finora.services.system import audit
from finora.services.system.activity_rows import event_rows
from finora.services.system.job_status import job_label
from tests.ledger_factories import household_of
from tests.members_factories import add_member, membership_of


def _what(page: str) -> list[str]:
    cells = re.findall(r'<tr class="activity-event" data-action="[^"]+">(.*?)</tr>', page, re.S)
    texts = [re.sub(r"<[^>]+>", "", cell.split("</td>")[2]) for cell in cells]
    return [html.unescape(re.sub(r"\s+", " ", text)).strip() for text in texts]


def test_the_household_trail_names_roles_in_the_readers_language(signed_in, user):
    home = household_of(user)
    invite(db.session, home, user, "guest@example.org", "viewer")
    member = add_member(home, "viewer")
    change_role(db.session, membership_of(member, home), "editor", actor=user)
    db.session.commit()
    what = _what(signed_in.get("/household/activity").get_data(as_text=True))
    assert "Member's role changed: " + member.email + " (Viewer → Editor)" in what
    assert "Member invited: guest@example.org (Viewer)" in what
    assert not any(re.search(r"\b(viewer|editor)\b", text) for text in what)


def test_roles_follow_the_language(app, user):
    home = household_of(user)
    invite(db.session, home, user, "guest@example.org", "viewer")
    db.session.commit()
    events = db.session.query(AuditEvent).all()
    with app.test_request_context(), force_locale("es"):
        [row] = event_rows(db.session, events)
        assert row.detail == "Invitado"
    with app.test_request_context(), force_locale("pt"):
        [row] = event_rows(db.session, events)
        assert row.detail == "Visitante" and row.label == "Membro convidado"


def test_an_event_a_job_recorded_names_the_job(app):
    audit.record(
        db.session, "user.unconfirmed_purged", user=None, object_type="user", object_id=7,
        details={"email": "never@example.org"},
    )
    db.session.commit()
    events = db.session.query(AuditEvent).all()
    with app.test_request_context(), force_locale("en"):
        [row] = event_rows(db.session, events)
    assert row.actor == "Scheduled job: Delete sign-ups never confirmed"
    assert row.subject == "never@example.org"


def test_every_job_has_a_translated_name(app):
    for job in JOBS:
        with app.test_request_context(), force_locale("en"):
            english = job_label(job)
        with app.test_request_context(), force_locale("pt"):
            portuguese = job_label(job)
        assert english != job and portuguese != english, job


def test_the_status_page_names_jobs_in_the_readers_language(signed_in):
    page = signed_in.get("/admin/status").get_data(as_text=True)
    assert "Delete sign-ups never confirmed" in page and "purge_unconfirmed_sign_ups<" not in page
