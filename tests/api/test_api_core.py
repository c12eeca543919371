"""The API's envelopes and rules that hold for every endpoint: JSON only, errors as
envelopes in the caller's language (unknown paths and methods too), cookie writes need the
CSRF header, limits on the body."""

from __future__ import annotations

from tests.factories import PASSWORD


def _is_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.json
    assert body["status"] == status and body["code"] == code and body["error"]
    return body


def test_an_unknown_path_under_the_api_is_a_json_404(api):
    _is_error(api.get("/no-such-thing"), 404, "not_found")
    _is_error(api.client.get("/api/v2/anything"), 404, "not_found")


def test_a_wrong_method_is_a_json_405(api):
    _is_error(api.get("/auth/login"), 405, "method_not_allowed")


def test_without_a_token_a_household_endpoint_is_401(api):
    _is_error(api.get("/auth/me"), 401, "unauthorized")


def test_a_token_that_does_not_work_is_401(api):
    for header in ("Bearer not-a-token", "Basic abc", "Bearer ", "Token x"):
        _is_error(api.get("/auth/me", headers={"Authorization": header}), 401, "unauthorized")


def test_errors_speak_the_callers_language(api):
    body = _is_error(api.get("/auth/me", headers={"Accept-Language": "pt"}), 401, "unauthorized")
    assert "Entre primeiro" in body["error"] or "token" in body["error"]
    english = _is_error(api.get("/auth/me", headers={"Accept-Language": "en"}), 401, "unauthorized")
    assert english["error"] != body["error"]


def test_a_body_that_is_not_json_is_refused(api, user):
    response = api.client.post("/api/v1/auth/login", data="email=x&password=y",
                               content_type="application/x-www-form-urlencoded")
    _is_error(response, 415, "validation_error")
    broken = api.client.post("/api/v1/auth/login", data="{not json",
                             content_type="application/json")
    _is_error(broken, 400, "validation_error")
    not_object = api.post("/auth/login", json=["a", "list"])
    assert _is_error(not_object, 422, "validation_error")["fields"] == {
        "body": "The body must be a JSON object."}


def test_missing_fields_are_a_422_with_each_field(api):
    body = _is_error(api.post("/auth/login", json={"email": 7}), 422, "validation_error")
    assert body["fields"] == {"email": "Must be text.", "password": "This field is required."}


def test_text_with_a_nul_character_is_a_422_not_a_database_error(api, user):
    body = _is_error(api.post("/auth/login", json={"email": "a\x00b@example.com",
                                                   "password": "x"}), 422, "validation_error")
    assert body["fields"] == {"email": "Must not contain a NUL character."}
    nested = _is_error(api.post("/auth/login", json={"email": user.email, "password": "x",
                                                     "extra": [{"deep": "\x00"}]}),
                       422, "validation_error")
    assert nested["fields"] == {"extra.0.deep": "Must not contain a NUL character."}


def test_a_body_over_the_limit_is_refused(app, api):
    app.config["API_MAX_BODY_BYTES"] = 100
    response = api.post("/auth/login", json={"email": "a@example.com", "password": "x" * 200})
    _is_error(response, 413, "validation_error")


def test_a_cookie_write_without_the_csrf_header_is_refused(app_factory, user):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with client:
        client.get("/login")
        from flask import session
        token = _csrf_token(client)
        response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                                "csrf_token": token})
        assert response.status_code == 302
        assert session.get("_user_id")
    # Reads with the cookie work; a write without the header is refused before it runs.
    assert client.get("/api/v1/auth/me").status_code == 200
    refused = client.post("/api/v1/auth/logout")
    _is_error(refused, 403, "forbidden")
    accepted = client.post("/api/v1/auth/logout", headers={"X-CSRFToken": _csrf_token(client)})
    assert accepted.status_code == 200


def _csrf_token(client) -> str:
    import re

    # What a script on Finora's own pages reads: the page's CSRF meta tag.
    page = client.get("/login", follow_redirects=True).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def test_money_dates_and_stamps_are_written_the_api_way():
    from datetime import UTC, date, datetime, timedelta, timezone
    from decimal import Decimal

    from finora.api.serialize import day, money, stamp

    assert money(Decimal("1500")) == "1500.00" and money(Decimal("-0.5")) == "-0.50"
    assert money(Decimal("2.005")) == "2.00" and money(None) is None
    assert day(date(2026, 4, 9)) == "2026-04-09"
    assert stamp(datetime(2026, 4, 9, 14, 30, tzinfo=UTC)) == "2026-04-09T14:30:00Z"
    three = timezone(timedelta(hours=-3))
    assert stamp(datetime(2026, 4, 9, 11, 30, tzinfo=three)) == "2026-04-09T14:30:00Z"
