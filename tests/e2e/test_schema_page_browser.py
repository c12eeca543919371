"""The schema guard's page in a real browser: a database behind the code shows the 503
page, which loads its styles under the CSP, fits a 390 px phone and passes axe."""

from __future__ import annotations

import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool
from werkzeug.serving import make_server

from finora.extensions import db
from tests.conftest import SERVER, make_app
from tests.dbutil import create_test_database, drop_test_database
from tests.e2e.conftest import PHONE
from tests.e2e.test_first_visit import assert_accessible, expect_language

pytestmark = pytest.mark.e2e

OVERFLOW_JS = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def lagging_server(tmp_path):
    url = create_test_database(SERVER)
    app = make_app(url, tmp_path)
    with app.app_context():
        upgrade(revision="0013")
        db.engine.dispose()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()
        engine = create_engine(url, poolclass=NullPool)
        with engine.connect() as connection:  # the database is still at 0013: nothing ran
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0013"
        engine.dispose()
        drop_test_database(url)


def test_the_schema_page_on_a_phone(lagging_server, open_page, browser_problems):
    page = open_page(PHONE)  # pt-BR
    response = page.goto(f"{lagging_server}/signup")
    assert response.status == 503
    expect_language(page, "pt")
    assert page.locator("#schema-command").inner_text() == "flask --app app db upgrade"
    # Bootstrap loaded (the page is styled): the command box has its padding.
    assert page.locator("#schema-command").evaluate("e => getComputedStyle(e).paddingTop") == "16px"
    scroll_width, width = page.evaluate(OVERFLOW_JS)
    assert scroll_width <= width == 390
    assert_accessible(page, "the schema page")
    # The page's own 503 is the only failed request: no CSP violation, no missing file.
    def others(entries):
        return [entry for entry in entries if "/signup" not in entry]

    assert others(browser_problems.console_errors) == [] and browser_problems.page_errors == []
    assert others(browser_problems.failed_requests) == []
