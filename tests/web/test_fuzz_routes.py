"""No 500 from bad input, anywhere: every route of the URL map, as owner, viewer and anonymous,
gets hostile path ids, query parameters, form fields (with a valid CSRF token) and JSON bodies,
and the test fails listing each request that answered 500."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
import time_machine
from itsdangerous import URLSafeTimedSerializer

from finora.extensions import db
from finora.services.system.form_tokens import issue_form_token
from tests.conftest import SERVER
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import household_of
from tests.members_factories import add_member, one_of_everything

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)

HUGE_IDS = [0, 2**31, 2**63]
HOSTILE = [
    "99999999999999999999",
    "-2147483649",
    "a\x00b",
    "a\r\nBcc: x@example.com",
    "x" * 10_000,
    "0001-01-01",
    "9999-12-31",
    "1.5",
]
# The owner's field-by-field pass: text values for every field, numbers and dates where the
# field holds one (its current value says which).
PER_FIELD = ["99999999999999999999", "a\x00b", "x" * 10_000]
PER_NUMBER_FIELD = ["-2147483649"]
PER_DATE_FIELD = ["0001-01-01", "9999-12-31"]
# Values that make a number or a date: tried with a real month or year beside them.
NUMERIC = {"99999999999999999999", "-2147483649", "0001-01-01", "9999-12-31", "1.5"}
# Other roles only need to reach each route's refusal with something hostile.
FEW = ["99999999999999999999", "a\x00b", "x" * 10_000]
QUERY_NAMES = [
    "month", "year", "page", "account", "category", "q", "kind", "status", "sort", "method",
    "next", "days", "parent", "period", "type", "date", "start", "end", "account_id",
    "category_id", "horizon",
]
BASELINE = {
    "name": "Fuzz",
    "description": "Fuzz",
    "amount": "10.00",
    "target_amount": "100.00",
    "date": "2026-03-10",
    "anchor_date": "2026-03-10",
    "due_date": "2026-03-10",
    "email": "fuzz@example.com",
    "opening_balance": "0",
}
ENDING = {"archive": 1, "end": 1, "hold": 1, "delete": 2, "remove": 2, "cancel": 2}
# Requests that end the client's own session (sign out, revoke session 1): sent last.
LAST = {"auth.logout", "profile.revoke"}
# JSON field names the API's bodies use, and values of every JSON type.
API_FIELDS = ("email", "password", "code", "challenge", "current_password", "new_password",
              "device_name", "name", "amount", "date", "type", "frequency", "start_date",
              "account_id", "schedule_id", "until")
API_VALUES = [None, [], {}, True, -1, 2**70, 1.5, "", *HOSTILE[:8]]
JSON_BODIES = [
    ("application/json", b'{"credential": '),
    ("application/json", b"\xff\xfe"),
    ("application/json", b"[]"),
    ("application/json", b'"text"'),
    ("application/json", b"12345678901234567890"),
    ("application/json", b'{"credential": 5, "name": ["x"], "id": null}'),
    ("application/json", b'{"credential": {"id": 5, "response": "x", "rawId": []}}'),
    ("text/plain", b"\x00"),
]


class _Forms(HTMLParser):
    """The POST forms of a page: action and fields with their current value."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._chosen: set[str] = set()
        self._first: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(((a.get("action") or ""), {}))
            return
        if not self.forms:
            return
        fields = self.forms[-1][1]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                fields.setdefault(name, "") if kind == "checkbox" else None
                return
            fields[name] = a.get("value") or ("y" if kind == "checkbox" else "")
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, "")
        elif tag == "option" and self._select:
            # As a browser sends it: the selected option, else the first one (for an id, the
            # first real one, past a "Choose..." placeholder).
            name, value = self._select, a.get("value", "")
            if "selected" in a and (value or not name.endswith("_id")):
                fields[name] = value
                self._chosen.add(name)
            elif name not in self._chosen and name not in self._first:
                if value or not name.endswith("_id"):
                    fields[name] = value
                    self._first.add(name)
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1][1][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def page_form(html: str, path: str) -> dict[str, str]:
    parser = _Forms()
    parser.feed(html)
    for action, fields in parser.forms:
        if action.split("?")[0] in ("", path):
            return fields
    return {}


def rule_urls(rule, ids: dict[str, int]) -> list[str]:
    """The rule's URL with each argument valid (when known) and hostile."""
    arguments = sorted(rule.arguments)
    if not arguments:
        return [rule.rule]
    urls = []
    converters = {name: type(conv).__name__ for name, conv in rule._converters.items()}

    def build(values):
        url = rule.rule
        for name in arguments:
            url = re.sub(r"<[^>]*:?" + name + ">", str(values[name]), url)
        return url

    valid = {name: ids.get(name, 1) if "Int" in converters[name] else "x" for name in arguments}
    if rule.endpoint == "admin.user_action":
        valid["action"] = "approve"
    urls.append(build(valid))
    for name in arguments:
        if "Int" in converters[name]:
            bad = HUGE_IDS
        else:
            bad = ["x" * 10_000, "a%00b", "a%0D%0Ab", "%FF"]
        urls.extend(build({**valid, name: value}) for value in bad)
    return urls


def refused(response) -> bool:
    """The route turned the role away before reading the request: sign in first (a
    redirect to the sign-in page, or 401) or not allowed (403)."""
    if response is None:
        return False
    if response.status_code in (401, 403):
        return True
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


class Fuzzer:
    def __init__(self, app, household, users) -> None:
        self.app = app
        # A one-time form token is issued for the role's user as its form page would (the
        # service the page calls), not by fetching the page again before each post.
        self.household, self.users = household, users
        self.failures: list[str] = []
        self.seen: set[str] = set()
        self.count = 0
        self.signed_in_until_last = True
        serializer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
        self.raw_token = "fuzz-csrf-raw-token"
        self.token = serializer.dumps(self.raw_token)
        self.armed: set[int] = set()  # the clients whose session holds raw_token
        self.session_cookie = app.config["SESSION_COOKIE_NAME"] + "="

    def arm(self, client) -> None:
        with client.session_transaction() as flask_session:
            flask_session["csrf_token"] = self.raw_token
        self.armed.add(id(client))

    def send(self, client, role, method, url, endpoint, **kwargs):
        self.count += 1
        self.seen.add(endpoint)
        # The CSRF token is put in the client's session before a request that checks it
        # (not GET), unless it is there already: the session stays as armed until a
        # response sends a new session cookie (a sign-in or sign-out clears the session; a
        # flash message rewrites it). Arming before every request was a tenth of the test.
        if method != "GET" and id(client) not in self.armed:
            self.arm(client)
        try:
            response = client.open(url, method=method, **kwargs)
            status = response.status_code
            if any(cookie.startswith(self.session_cookie)
                   for cookie in response.headers.getlist("Set-Cookie")):
                self.armed.discard(id(client))
        except Exception as error:  # noqa: BLE001 - a crash in the test client is a 500 too
            # In production the 500 handler rolls back; here the test's session is shared.
            db.session.rollback()
            self.armed.discard(id(client))
            status = f"raised {type(error).__name__}: {str(error).splitlines()[0][:200]}"
        if status == 500 or isinstance(status, str):
            payload = kwargs.get("data") or kwargs.get("query_string") or ""
            shown = repr(payload)
            if len(shown) > 300:
                shown = re.sub(r"x{50,}", "x…", shown)[:300]
            self.failures.append(f"{role} {method} {url[:120]} {shown} -> {status}")
        return response if not isinstance(status, str) else None

    def run(self, clients, ids):
        rules = [r for r in self.app.url_map.iter_rules() if r.endpoint != "static"]
        # Deleting, archiving or ending an object comes after every other page that uses it.
        rules.sort(key=lambda r: (r.endpoint in LAST, ENDING.get(r.rule.rsplit("/", 1)[-1], 0), r.rule))
        for role, client in clients:
            checked = role == "anonymous"
            for rule in rules:
                if not checked and rule.endpoint in LAST:
                    checked = True
                    self.signed_in_until_last &= client.get("/profile").status_code == 200
                urls = rule_urls(rule, ids)
                if rule.endpoint.startswith("api."):
                    self.fuzz_api(client, role, rule, urls)
                    continue
                if "GET" in rule.methods:
                    self.fuzz_get(client, role, rule, urls)
                if "POST" in rule.methods:
                    self.fuzz_post(client, role, rule, urls)

    def fuzz_api(self, client, role, rule, urls):
        """JSON endpoints: every method they take, hostile JSON bodies and query values,
        with the CSRF header as a page's script would send it."""
        headers = {"X-CSRFToken": self.token}
        for method in sorted(rule.methods & {"GET", "POST", "PUT", "PATCH", "DELETE"}):
            for url in urls:
                self.send(client, role, method, url, rule.endpoint, headers=headers)
            if method == "GET":
                for value in HOSTILE if role == "owner" else FEW:
                    query = urlencode({name: value for name in (*QUERY_NAMES, "limit", "offset")})
                    response = self.send(client, role, method, f"{urls[0]}?{query}", rule.endpoint)
                    if role != "owner" and refused(response):
                        break
                continue
            requests = [{"data": body, "content_type": content_type}
                        for content_type, body in JSON_BODIES]
            requests += [{"json": {name: value for name in API_FIELDS}}
                         for value in (API_VALUES if role == "owner" else API_VALUES[:3])]
            for request in requests:
                response = self.send(client, role, method, urls[0], rule.endpoint,
                                     headers=headers, **request)
                # Turned away before the body is read: every other body is turned away too.
                if role != "owner" and refused(response):
                    break

    def fuzz_get(self, client, role, rule, urls):
        for url in urls:
            self.send(client, role, "GET", url, rule.endpoint)
        if role != "owner" and rule.arguments:
            return
        for value in HOSTILE if role == "owner" else FEW:
            hostile = {name: value for name in QUERY_NAMES}
            # All hostile, then with a real month or a real year beside the hostile rest.
            variants = [hostile]
            if role == "owner" and value in NUMERIC:
                variants += [{**hostile, "month": "3", "page": "2"}, {**hostile, "year": "2026"}]
            for query in variants:
                response = self.send(client, role, "GET", f"{urls[0]}?{urlencode(query)}",
                                     rule.endpoint)
            if role != "owner" and refused(response):
                return

    def fuzz_post(self, client, role, rule, urls):
        csrf = {"csrf_token": self.token}
        headers = {"X-CSRFToken": self.token}
        for url in urls[1:]:
            self.send(client, role, "POST", url, rule.endpoint, data=csrf)
        url = urls[0]
        if "/passkeys/" in url or rule.endpoint == "profile.keep_alive":
            for content_type, body in JSON_BODIES:
                self.send(client, role, "POST", url, rule.endpoint, data=body,
                          content_type=content_type, headers=headers)
        baseline = dict(BASELINE)
        if "GET" in rule.methods:
            response = self.send(client, role, "GET", url, rule.endpoint)
            if response is not None and response.status_code == 200:
                fields = page_form(response.get_data(as_text=True), url)
                # The page's own values, but the baseline's where the page leaves one empty.
                baseline.update({k: v for k, v in fields.items() if v or k not in baseline})
        # csrf_token is added to each request; a one-time form token (against double
        # submission) is fetched afresh for each post, or the post would never reach the service.
        baseline.pop("csrf_token", None)
        one_time = baseline.pop("form_token", None) is not None

        user = self.users.get(role)

        def fresh() -> dict[str, str]:
            if not one_time or user is None:
                return {}
            return {"form_token": issue_form_token(self.household, user)}

        for value in HOSTILE if role == "owner" else FEW:
            response = self.send(client, role, "POST", url, rule.endpoint,
                                 data={**csrf, **fresh(), **{name: value for name in baseline}})
            if role != "owner" and refused(response):
                break
        if role != "owner":
            return
        for name, current in baseline.items():
            values = list(PER_FIELD)
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", current) or name.endswith("date"):
                values += PER_DATE_FIELD
            elif re.fullmatch(r"-?[\d.,]+", current) or name.endswith("_id"):
                values += PER_NUMBER_FIELD
            for value in values:
                self.send(client, role, "POST", url, rule.endpoint,
                          data={**csrf, **fresh(), **baseline, name: value})


@pytest.fixture
def cheap_hashing(monkeypatch):
    """scrypt at a tiny cost: the fuzzer checks passwords thousands of times, and what it
    looks for (a 500) does not depend on the hash's strength."""
    from werkzeug.security import generate_password_hash

    import finora.services.people.passwords as passwords

    def cheap(password, method="scrypt", salt_length=16):
        return generate_password_hash(password, method="scrypt:1024:8:1", salt_length=salt_length)

    monkeypatch.setattr(passwords, "generate_password_hash", cheap)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", cheap("finora-timing-equaliser"))
    return cheap


@pytest.fixture
def fuzz_app(app_factory, cheap_hashing):
    application = app_factory(WTF_CSRF_ENABLED=True)
    with application.app_context(), time_machine.travel(NOW, tick=False):
        yield application


def test_no_route_answers_500_to_hostile_input(fuzz_app, cheap_hashing):
    owner = create_user()
    household = household_of(owner)
    ids = {**one_of_everything(household), "year": 2026, "month": 3}
    viewer = add_member(household, "viewer")
    for user in (owner, viewer):
        user.password_hash = cheap_hashing(PASSWORD)
    db.session.commit()

    fuzzer = Fuzzer(fuzz_app, household, {"owner": owner, "viewer": viewer})
    clients = []
    roles = [("owner", owner), ("viewer", viewer), ("anonymous", None)]
    if SERVER != "sqlite":
        # A viewer's request runs the owner's code up to its refusal (403), or the page
        # reads of the owner's GET: the database sees nothing from it that the owner's
        # requests do not send. So the viewer is fuzzed in the SQLite pass only (an eighth
        # of the requests); the anonymous visitor stays in every pass (the sign-in, sign-up
        # and reset forms take hostile values to the database).
        roles.remove(("viewer", viewer))
    for role, user in roles:
        client = fuzz_app.test_client()
        if user is not None:
            fuzzer.arm(client)
            response = client.post(
                "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": fuzzer.token}
            )
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
        clients.append((role, client))

    fuzzer.run(clients, ids)

    # The pass ran signed in (no hostile value signed the users out before the last routes).
    assert fuzzer.signed_in_until_last
    every = {r.endpoint for r in fuzz_app.url_map.iter_rules() if r.endpoint != "static"}
    assert every <= fuzzer.seen
    assert not fuzzer.failures, (
        f"{len(fuzzer.failures)} of {fuzzer.count} requests answered 500:\n"
        + "\n".join(fuzzer.failures)
    )
