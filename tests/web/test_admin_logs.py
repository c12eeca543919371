"""/admin/logs/download: the admin downloads the current log file; with LOG_TO_FILE off a
404 page says the logs go to the console; anyone else does not find the page at all."""

from __future__ import annotations

import logging

import pytest

from tests.factories import PASSWORD, create_user
from tests.ledger_factories import household_of
from tests.members_factories import add_member


def signed_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def logging_app(app_factory):
    application = app_factory(LOG_TO_FILE=True)
    with application.app_context():
        yield application
    # The next app configures its own handlers; close this one's file now.
    for handler in list(logging.getLogger("finora").handlers):
        handler.close()


def test_the_admin_downloads_the_current_log(logging_app):
    admin = create_user()
    client = signed_in(logging_app, admin)
    logging.getLogger("finora").warning("a line the admin should find")
    response = client.get("/admin/logs/download")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and ".log" in disposition
    body = response.get_data(as_text=True)
    assert "a line the admin should find" in body
    assert int(response.headers["Content-Length"]) == len(response.get_data())


def test_without_a_log_file_the_page_says_where_logs_go(app):
    admin = create_user()  # the suite's apps run with LOG_TO_FILE off
    response = signed_in(app, admin).get("/admin/logs/download")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "LOG_TO_FILE is off" in html and "console" in html


@pytest.mark.parametrize("role", ["viewer", "owner"])
def test_no_one_else_finds_the_log(logging_app, role):
    admin = create_user()
    member = create_user() if role == "owner" else add_member(household_of(admin), role)
    logging.getLogger("finora").warning("secret line")
    response = signed_in(logging_app, member).get("/admin/logs/download")
    assert response.status_code == 404
    assert "secret line" not in response.get_data(as_text=True)
    anonymous = logging_app.test_client().get("/admin/logs/download")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
