"""The update check against a real HTTP server on 127.0.0.1, with a release key made in the
test: what is accepted, what is refused and recorded, and the status the pages read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask_babel import force_locale

from finora.extensions import db
from finora.services.system.settings import get_setting, set_setting
from finora.services.updates import check as check_module
from finora.services.updates import fetch
from finora.services.updates.check import (
    LAST_CHECK_KEY,
    MANIFEST_KEY,
    ReleaseNotFoundError,
    UpdateCheckFailed,
    check_for_updates,
    check_for_updates_job,
    find_release,
    update_status,
)
from finora.services.updates.fetch import (
    FetchPolicy,
    FetchTimeoutError,
    NotFoundOnServerError,
    TooLargeError,
    URLRefusedError,
    download,
    fetch_bytes,
)
from finora.services.updates.signing import public_key_text, sign
from tests.update_server import UpdateServer

SHA = "cd" * 32


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def server():
    with UpdateServer() as running:
        yield running


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch):
    """The real pauses (1 s, 2 s) are kept out of the suite; their growth is tested below."""
    monkeypatch.setattr(fetch, "BACKOFF_SECONDS", 0.01)


def manifest_bytes(*versions: str, app: str = "finora", package_url: str | None = None) -> bytes:
    releases = []
    for version in versions:
        entry = {"version": version, "date": "2026-12-01",
                 "notes": {"en": f"Notes {version}", "pt": f"Notas {version}"}}
        if package_url is not None:
            entry["package"] = {"url": package_url, "sha256": SHA, "size": 10,
                                "signature": "c2ln"}
        releases.append(entry)
    return json.dumps({"schema": 1, "app": app, "releases": releases}).encode()


def publish(server: UpdateServer, key, raw: bytes, *, signature: bool = True) -> str:
    url = server.put("/manifest.json", raw)
    if signature:
        server.put("/manifest.json.sig", sign(key, raw))
    return url


@pytest.fixture
def remote_app(app_factory, server, key):
    """An app whose manifest comes from the local server, trusting the test's key."""
    def build(**overrides):
        config = {"UPDATE_MANIFEST_URL": server.url("/manifest.json"),
                  "UPDATE_PUBLIC_KEY": public_key_text(key.public_key()), **overrides}
        application = app_factory(**config)
        return application
    return build


def checked(application):
    with application.app_context():
        record = check_for_updates(db.session)
        db.session.commit()
        return record


def status_of(application):
    with application.app_context():
        return update_status(db.session)


# --- bundled ------------------------------------------------------------------------------

def test_without_a_url_the_bundled_manifest_is_read(app):
    record = check_for_updates(db.session)
    assert record.ok and record.source == "bundled" and record.latest == "0.2.0"
    assert json.loads(get_setting(db.session, LAST_CHECK_KEY))["source"] == "bundled"
    assert get_setting(db.session, MANIFEST_KEY) is None
    status = update_status(db.session)
    assert status.installed == "0.2.0" and status.latest.version == "0.2.0"
    assert status.available is None and status.newer_releases == [] and not status.can_apply
    assert status.last_check == record


# --- remote: accepted ---------------------------------------------------------------------

def test_a_signed_manifest_is_stored_and_offers_the_newer_releases(remote_app, server, key):
    publish(server, key, manifest_bytes("0.2.0", "0.3.0", "0.4.0",
                                        package_url="https://example.org/p.tar.gz"))
    application = remote_app()
    record = checked(application)
    assert record.ok and record.source == "remote" and record.latest == "0.4.0"
    assert record.error_message is None
    status = status_of(application)
    assert status.available.version == "0.4.0"
    assert [r.version for r in status.newer_releases] == ["0.4.0", "0.3.0"]
    assert status.can_apply and status.apply_blocker is None
    assert status.newer_releases[1].notes_for("pt") == "Notas 0.3.0"
    with application.app_context():
        assert find_release(db.session, "0.3.0").version == "0.3.0"
        with pytest.raises(ReleaseNotFoundError):
            find_release(db.session, "0.9.0")
        with pytest.raises(ReleaseNotFoundError):
            find_release(db.session, "not a version")


def test_the_channel_decides_whether_pre_releases_are_offered(remote_app, server, key):
    publish(server, key, manifest_bytes("0.2.0", "0.3.0", "0.4.0-beta.1"))
    stable = remote_app()
    checked(stable)
    status = status_of(stable)
    assert status.latest.version == "0.3.0" and status.available.version == "0.3.0"
    assert not status.can_apply and status.apply_blocker == "no_package"  # announced only
    beta = remote_app(UPDATE_CHANNEL="beta")
    status = status_of(beta)
    assert status.channel == "beta" and status.available.version == "0.4.0-beta.1"
    assert [r.version for r in status.newer_releases] == ["0.4.0-beta.1", "0.3.0"]


def test_in_a_container_an_update_is_reported_but_cannot_be_applied(remote_app, server, key):
    publish(server, key, manifest_bytes("0.3.0", package_url="https://example.org/p.tar.gz"))
    application = remote_app(FINORA_IN_CONTAINER=True)
    checked(application)
    status = status_of(application)
    assert status.available.version == "0.3.0" and status.in_container
    assert not status.can_apply and status.apply_blocker == "container"


def test_a_package_on_a_local_path_cannot_be_applied_unless_allowed(remote_app, server, key,
                                                                     tmp_path):
    publish(server, key, manifest_bytes("0.3.0", package_url=str(tmp_path / "p.tar.gz")))
    blocked = remote_app()
    checked(blocked)
    assert status_of(blocked).apply_blocker == "url_refused"
    assert status_of(remote_app(UPDATE_ALLOW_LOCAL_ASSETS=True)).can_apply


# --- remote: refused, recorded, what was known is kept --------------------------------------

def _assert_refused(application, code: str):
    record = checked(application)
    assert not record.ok and record.source == "remote" and record.error_code == code
    with application.app_context():
        stored = json.loads(get_setting(db.session, LAST_CHECK_KEY))
        assert stored["ok"] is False and stored["error_code"] == code
        assert get_setting(db.session, MANIFEST_KEY) is None
    status = status_of(application)
    assert status.available is None and status.latest.version == "0.2.0"  # the bundled one
    return record


def test_a_bad_signature_is_refused(remote_app, server, key):
    raw = manifest_bytes("0.3.0")
    server.put("/manifest.json", raw)
    server.put("/manifest.json.sig", sign(Ed25519PrivateKey.generate(), raw))
    record = _assert_refused(remote_app(), "signature")
    with force_locale("en"):
        assert "signature" in record.error_message


def test_a_manifest_changed_after_signing_is_refused(remote_app, server, key):
    raw = manifest_bytes("0.3.0")
    server.put("/manifest.json.sig", sign(key, raw))
    server.put("/manifest.json", raw.replace(b"0.3.0", b"9.3.0"))
    _assert_refused(remote_app(), "signature")


def test_a_signature_that_is_not_base64_is_refused(remote_app, server, key):
    server.put("/manifest.json", manifest_bytes("0.3.0"))
    server.put("/manifest.json.sig", b"\xff\xfe not a signature")
    _assert_refused(remote_app(), "signature")


def test_a_missing_signature_is_refused(remote_app, server, key):
    publish(server, key, manifest_bytes("0.3.0"), signature=False)
    record = _assert_refused(remote_app(), "signature_missing")
    with force_locale("en"):
        assert ".sig" in record.error_message


def test_a_manifest_for_another_app_is_refused(remote_app, server, key):
    publish(server, key, manifest_bytes("0.3.0", app="not-finora"))
    record = _assert_refused(remote_app(), "wrong_app")
    assert "not-finora" in record.error_detail


def test_malformed_json_is_refused_even_when_signed(remote_app, server, key):
    publish(server, key, b'{"schema": 1, "app": "finora", "releases": [')
    _assert_refused(remote_app(), "manifest")


def test_an_unreachable_server_is_recorded(remote_app, server, key):
    application = remote_app(UPDATE_MANIFEST_URL="http://127.0.0.1:9/manifest.json")
    record = _assert_refused(application, "network")
    assert record.error_detail


def test_a_missing_manifest_is_recorded_without_retrying(remote_app, server, key):
    _assert_refused(remote_app(), "not_found")
    assert server.hits["/manifest.json"] == 1


def test_a_slow_server_times_out_after_the_bounded_attempts(remote_app, server, key,
                                                             monkeypatch):
    monkeypatch.setattr(fetch, "ATTEMPTS", 2)
    raw = manifest_bytes("0.3.0")
    server.put("/manifest.json", raw, delay=2.5)
    server.put("/manifest.json.sig", sign(key, raw))
    _assert_refused(remote_app(UPDATE_CHECK_TIMEOUT_SECONDS=1), "timeout")
    assert server.hits["/manifest.json"] == 2


def test_the_whole_check_ends_within_its_budget(remote_app, server, key, monkeypatch):
    """"Check now" runs in a request: no retry starts that could not end in time."""
    monkeypatch.setattr(check_module, "CHECK_BUDGET_SECONDS", 1.5)
    raw = manifest_bytes("0.3.0")
    server.put("/manifest.json", raw, delay=2.5)
    server.put("/manifest.json.sig", sign(key, raw))
    _assert_refused(remote_app(UPDATE_CHECK_TIMEOUT_SECONDS=1), "timeout")
    assert server.hits["/manifest.json"] == 1  # a second 1 s attempt would overrun 1.5 s


def test_a_server_failing_twice_is_retried_and_accepted(remote_app, server, key):
    raw = manifest_bytes("0.3.0")
    server.put("/manifest.json", raw, fail_first=2)
    server.put("/manifest.json.sig", sign(key, raw))
    record = checked(remote_app())
    assert record.ok and record.latest == "0.3.0"
    assert server.hits["/manifest.json"] == 3


def test_a_server_failing_every_time_gives_up_after_three_attempts(remote_app, server, key):
    server.put("/manifest.json", manifest_bytes("0.3.0"), fail_first=99)
    record = _assert_refused(remote_app(), "http_status")
    assert record.error_detail == "HTTP 503"
    assert server.hits["/manifest.json"] == fetch.ATTEMPTS == 3


def test_the_pause_between_attempts_grows(server):
    server.put("/flaky", b"ok", fail_first=2)
    pauses: list[float] = []
    policy = FetchPolicy(allow_loopback_http=True, timeout=5, attempts=3, backoff=1.0)
    assert fetch_bytes(server.url("/flaky"), max_bytes=10, policy=policy,
                       sleep=pauses.append) == b"ok"
    assert pauses == [1.0, 2.0]


def test_an_older_manifest_does_not_replace_a_newer_one(remote_app, server, key):
    application = remote_app()
    publish(server, key, manifest_bytes("0.2.0", "0.4.0"))
    assert checked(application).ok
    publish(server, key, manifest_bytes("0.2.0", "0.3.0"))  # a stale mirror or a replay
    record = checked(application)
    assert not record.ok and record.error_code == "stale_manifest"
    assert record.latest == "0.4.0"
    assert status_of(application).available.version == "0.4.0"
    publish(server, key, manifest_bytes("0.2.0", "0.4.0", "0.5.0"))
    assert checked(application).latest == "0.5.0"


def test_a_failed_check_keeps_the_releases_already_verified(remote_app, server, key):
    application = remote_app()
    publish(server, key, manifest_bytes("0.3.0"))
    checked(application)
    server.routes.pop("/manifest.json")
    record = checked(application)
    assert record.error_code == "not_found" and record.latest == "0.3.0"
    assert status_of(application).available.version == "0.3.0"


def test_a_stored_manifest_edited_in_the_database_is_ignored(remote_app, server, key):
    application = remote_app()
    publish(server, key, manifest_bytes("0.3.0"))
    checked(application)
    with application.app_context():
        stored = json.loads(get_setting(db.session, MANIFEST_KEY))
        stored["signature"] = sign(Ed25519PrivateKey.generate(), b"something else")
        set_setting(db.session, MANIFEST_KEY, json.dumps(stored))
        db.session.commit()
    assert status_of(application).available is None


def test_a_manifest_signed_by_the_shipped_key_only_is_refused_under_another_key(
        app_factory, server, key):
    """Without UPDATE_PUBLIC_KEY the shipped key decides: the test's key signs nothing."""
    publish(server, key, manifest_bytes("0.3.0"))
    application = app_factory(UPDATE_MANIFEST_URL=server.url("/manifest.json"))
    assert checked(application).error_code == "signature"


# --- the URL rules --------------------------------------------------------------------------

def test_plain_http_to_a_real_host_is_refused(remote_app, server):
    application = remote_app(UPDATE_MANIFEST_URL="http://updates.example.org/manifest.json")
    record = checked(application)
    assert record.error_code == "url_refused"


def test_plain_http_to_loopback_is_refused_outside_testing(server):
    policy = FetchPolicy(allow_loopback_http=False)
    server.put("/m", b"x")
    with pytest.raises(URLRefusedError):
        fetch_bytes(server.url("/m"), max_bytes=10, policy=policy)
    assert server.hits == {}


@pytest.mark.parametrize("url", [
    "ftp://example.org/m.json", "https://user:pw@example.org/m.json", "https:///m.json",
    "m.json", "file://otherhost/etc/passwd", "http://localhost.example.org/m.json",
    "https://example.org/m.json\r\nX: y", "http://10.0.0.1/m.json",
])
def test_other_addresses_are_refused(url):
    with pytest.raises(URLRefusedError):
        fetch.check_url(url, FetchPolicy(allow_loopback_http=True, allow_local=True))


def test_a_redirect_to_plain_http_elsewhere_is_refused(server):
    server.put("/m", b"", status=302,
               headers={"Location": "http://updates.example.org/m", "Content-Length": "0"})
    with pytest.raises(URLRefusedError):
        fetch_bytes(server.url("/m"), max_bytes=10, policy=FetchPolicy(allow_loopback_http=True))


def test_local_paths_are_blocked_unless_allowed(remote_app, key, tmp_path):
    raw = manifest_bytes("0.3.0")
    path = tmp_path / "manifest.json"
    path.write_bytes(raw)
    Path(str(path) + ".sig").write_text(sign(key, raw))
    for url in (str(path), path.as_uri()):
        assert checked(remote_app(UPDATE_MANIFEST_URL=url)).error_code == "url_refused"
    allowed = remote_app(UPDATE_MANIFEST_URL=path.as_uri(), UPDATE_ALLOW_LOCAL_ASSETS=True)
    assert checked(allowed).ok
    assert status_of(allowed).available.version == "0.3.0"


def test_a_body_over_the_cap_is_refused_whatever_its_length_says(server):
    policy = FetchPolicy(allow_loopback_http=True)
    server.put("/honest", b"x" * 101)
    server.put("/unsized", b"x" * 101, headers={"Content-Length": None})
    with pytest.raises(TooLargeError):
        fetch_bytes(server.url("/honest"), max_bytes=100, policy=policy)
    with pytest.raises(TooLargeError):  # no length announced: counted while reading
        fetch_bytes(server.url("/unsized"), max_bytes=100, policy=policy)
    assert fetch_bytes(server.url("/unsized"), max_bytes=101, policy=policy) == b"x" * 101
    assert server.hits["/honest"] == 1  # not retried


# --- download (the apply's packages) ---------------------------------------------------------

def test_download_streams_into_the_file(app, server, tmp_path):
    body = bytes(range(256)) * 1000
    url = server.put("/finora-0.3.0.tar.gz", body)
    dest = tmp_path / "finora-0.3.0.tar.gz.part"
    download(url, dest, max_bytes=len(body))
    assert dest.read_bytes() == body


def test_a_download_over_the_cap_leaves_no_file(app, server, tmp_path):
    url = server.put("/big.tar.gz", b"x" * 5000)
    dest = tmp_path / "big.tar.gz.part"
    with pytest.raises(TooLargeError):
        download(url, dest, max_bytes=4999)
    assert not dest.exists()


def test_a_failed_download_leaves_no_file(app, server, tmp_path):
    dest = tmp_path / "gone.part"
    dest.write_bytes(b"left from before")
    with pytest.raises(NotFoundOnServerError):
        download(server.url("/gone.tar.gz"), dest, max_bytes=100)
    assert not dest.exists()


def test_a_download_follows_the_same_rules(app, server, tmp_path):
    source = tmp_path / "p.tar.gz"
    source.write_bytes(b"package")
    with pytest.raises(URLRefusedError):
        download(str(source), tmp_path / "p.part", max_bytes=100)
    with pytest.raises(URLRefusedError):
        download("http://updates.example.org/p.tar.gz", tmp_path / "p.part", max_bytes=100)
    assert not (tmp_path / "p.part").exists()


def test_a_local_download_when_allowed(app_factory, tmp_path):
    source = tmp_path / "p.tar.gz"
    source.write_bytes(b"package")
    with app_factory(UPDATE_ALLOW_LOCAL_ASSETS=True).app_context():
        download(source.as_uri(), tmp_path / "p.part", max_bytes=100)
        assert (tmp_path / "p.part").read_bytes() == b"package"
        with pytest.raises(TooLargeError):
            download(str(source), tmp_path / "q.part", max_bytes=3)
        assert not (tmp_path / "q.part").exists()


def test_download_times_out(app, server, tmp_path, monkeypatch):
    monkeypatch.setattr(fetch, "ATTEMPTS", 1)
    url = server.put("/slow.tar.gz", b"x", delay=2.5)
    with pytest.raises(FetchTimeoutError):
        download(url, tmp_path / "slow.part", max_bytes=10, timeout=1)
    assert not (tmp_path / "slow.part").exists()


# --- the daily job --------------------------------------------------------------------------

def test_the_job_counts_an_available_update(remote_app, server, key):
    publish(server, key, manifest_bytes("0.3.0"))
    application = remote_app()
    with application.app_context():
        assert check_for_updates_job(db.session, "test-holder") == 1
        db.session.rollback()  # the job committed the record itself
        assert json.loads(get_setting(db.session, LAST_CHECK_KEY))["ok"] is True


def test_the_job_commits_a_failed_check_then_reports_the_error(remote_app, server, key):
    application = remote_app()  # nothing published: 404
    with application.app_context():
        with pytest.raises(UpdateCheckFailed, match="not_found"):
            check_for_updates_job(db.session, "test-holder")
        db.session.rollback()
        assert json.loads(get_setting(db.session, LAST_CHECK_KEY))["error_code"] == "not_found"
