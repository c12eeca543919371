"""/metrics: the families and their buckets, handlers named by route template (never the
raw URL), who may read it (loopback without a proxy, or the bearer token; everyone else
the ordinary 404), job outcomes, the instance gauges, and no personal data anywhere.

Metrics are process-wide (as in production), so counts are compared before and after.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.exc import OperationalError

from finora import jobs
from finora.extensions import db
from finora.web.metrics.access import direct_local_call, has_token, peer_address
from finora.web.metrics.http import DURATION_BUCKETS, HIGHR_BUCKETS
from tests.factories import create_user
from tests.ledger_factories import household_of, make_entry

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN = "scrape-me-0123456789abcdefghijklmnop"
OUTSIDE = {"REMOTE_ADDR": "203.0.113.7"}


def _families(text: str) -> dict:
    return {family.name: family for family in text_string_to_metric_families(text)}


def _scrape(client, **kwargs) -> dict:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.text[:300]
    return _families(response.text)


def _value(families: dict, family: str, sample: str, **labels) -> float:
    if family not in families:
        return 0.0
    return sum(
        s.value for s in families[family].samples
        if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items())
    )


def _buckets(families: dict, family: str, **labels) -> list[float]:
    return [
        float(s.labels["le"]) for s in families[family].samples
        if s.name == f"{family}_bucket" and all(s.labels.get(k) == v for k, v in labels.items())
    ]


def test_the_http_families_with_their_labels_and_buckets(client):
    before = _scrape(client)
    assert client.get("/healthz").status_code in (200, 503)
    after = _scrape(client)

    duration = "http_request_duration_seconds"
    assert after[duration].type == "histogram"
    assert _buckets(after, duration, handler="/healthz", method="GET") == [
        *DURATION_BUCKETS, float("inf")
    ]
    assert DURATION_BUCKETS == (0.1, 0.5, 1.0)
    assert _value(after, duration, f"{duration}_count", handler="/healthz", method="GET") == (
        _value(before, duration, f"{duration}_count", handler="/healthz", method="GET") + 1
    )

    highr = "http_request_duration_highr_seconds"
    assert after[highr].type == "histogram"
    assert _buckets(after, highr) == [*HIGHR_BUCKETS, float("inf")]
    assert HIGHR_BUCKETS[0] == 0.01 and HIGHR_BUCKETS[-1] == 60.0 and len(HIGHR_BUCKETS) == 21
    assert all(set(s.labels) <= {"le"} for s in after[highr].samples)
    # The scrape before and /healthz.
    assert _value(after, highr, f"{highr}_count") >= _value(before, highr, f"{highr}_count") + 2

    size = "http_response_size_bytes"
    assert after[size].type == "summary"
    grew = _value(after, size, f"{size}_sum", handler="/healthz") - _value(
        before, size, f"{size}_sum", handler="/healthz"
    )
    assert grew > 0
    assert all(set(s.labels) == {"handler"} for s in after[size].samples)

    total = "http_requests"  # the counter's family name; its sample is http_requests_total
    assert after[total].type == "counter"
    assert {s.labels["status"] for s in after[total].samples} <= {"1xx", "2xx", "3xx", "4xx", "5xx"}


def test_handlers_are_route_templates_never_raw_urls(client):
    secret = "reset-token-that-must-not-show-9f8e7d"
    client.get(f"/reset-password/{secret}")
    client.get("/no-such-page/4815162342")
    client.open("/healthz", method="BREW")  # an invented method: one bounded label value
    response = client.get("/metrics")
    text = response.text
    assert secret not in text and "4815162342" not in text and "BREW" not in text
    families = _families(text)
    handlers = {s.labels["handler"] for s in families["http_request_duration_seconds"].samples}
    assert "/reset-password/<token>" in handlers
    assert "none" in handlers
    methods = {s.labels["method"] for s in families["http_request_duration_seconds"].samples}
    assert "other" in methods
    assert methods <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}


def test_an_outside_caller_gets_the_ordinary_not_found_page(client):
    response = client.get("/metrics", environ_base=OUTSIDE)
    assert response.status_code == 404
    assert "http_request" not in response.text and "finora_" not in response.text
    # The same page as any unknown address (its nonce and its own path aside).
    unknown = client.get("/no-such-page", environ_base=OUTSIDE).text.replace("/no-such-page", "/metrics")
    nonce = re.compile(r'nonce="[^"]+"')
    assert nonce.sub("", unknown) == nonce.sub("", response.text)


@pytest.mark.parametrize(
    "header",
    [
        {"X-Forwarded-For": "127.0.0.1"},
        {"Forwarded": "for=127.0.0.1"},
        {"X-Real-IP": "127.0.0.1"},
    ],
    ids=["x-forwarded-for", "forwarded", "x-real-ip"],
)
def test_a_request_through_a_proxy_on_this_machine_is_not_local(client, header):
    assert client.get("/metrics", headers=header).status_code == 404


def test_loopback_without_a_proxy_reads_it_over_ipv4_and_ipv6(client):
    for address in ("127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"):
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": address}).status_code == 200


def test_the_bearer_token_opens_it_from_anywhere_and_nothing_else_does(app_factory):
    app = app_factory(METRICS_TOKEN=TOKEN)
    with app.app_context():
        client = app.test_client()
        ok = client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200 and "finora_build_info" in ok.text
        assert ok.headers["Cache-Control"] == "no-store"
        # Through a proxy too: the token, not the address, is the credential.
        proxied = client.get("/metrics", environ_base=OUTSIDE, headers={
            "Authorization": f"bearer {TOKEN}", "X-Forwarded-For": "198.51.100.1"
        })
        assert proxied.status_code == 200
        for authorization in (f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", TOKEN, "Bearer "):
            refused = client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": authorization})
            assert refused.status_code == 404, authorization


def test_without_a_token_configured_no_authorization_header_opens_it(client):
    assert client.get(
        "/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer "}
    ).status_code == 404
    assert not has_token("Bearer ", "")


def test_the_address_checked_is_the_socket_s_not_the_one_a_trusted_proxy_rewrote(app_factory):
    # A proxy at 10.0.0.2 is trusted to say who the client is; it says 127.0.0.1.
    app = app_factory(TRUSTED_PROXIES=1, FORWARDED_ALLOW_IPS="10.0.0.0/8")
    with app.app_context():
        client = app.test_client()
        response = client.get(
            "/metrics", environ_base={"REMOTE_ADDR": "10.0.0.2"},
            headers={"X-Forwarded-For": "127.0.0.1"},
        )
        assert response.status_code == 404
    # The same rule in isolation, even without the header that also gives it away.
    rewritten = {"REMOTE_ADDR": "127.0.0.1", "werkzeug.proxy_fix.orig": {"REMOTE_ADDR": "10.0.0.2"}}
    assert peer_address(rewritten) == "10.0.0.2"
    assert not direct_local_call(rewritten)
    assert not direct_local_call({"REMOTE_ADDR": ""})  # a UNIX socket: a proxy may be behind it


def test_metrics_switched_off_answer_404_and_time_nothing(app_factory):
    app = app_factory(METRICS_ENABLED=False)
    with app.app_context():
        assert app.test_client().get("/metrics").status_code == 404
        assert not any(
            getattr(hook, "__module__", "") == "finora.web.metrics.http"
            for hooks in (*app.before_request_funcs.values(), *app.after_request_funcs.values())
            for hook in hooks
        )


def test_job_runs_are_counted_by_job_and_outcome(client, monkeypatch):
    def broken(_session, _holder):
        raise RuntimeError("disk full")

    monkeypatch.setitem(jobs.JOBS, "metrics_probe", (lambda _session, _holder: 2, timedelta(minutes=1)))
    monkeypatch.setitem(jobs.JOBS, "metrics_probe_broken", (broken, timedelta(minutes=1)))
    before = _scrape(client)
    jobs.run_job(db.session, "metrics_probe", "test-holder")
    jobs.run_job(db.session, "metrics_probe", "test-holder")
    jobs.run_job(db.session, "metrics_probe_broken", "test-holder")
    after = _scrape(client)

    def runs(families, job, status):
        return _value(families, "finora_job_runs", "finora_job_runs_total", job=job, status=status)

    assert runs(after, "metrics_probe", "success") == runs(before, "metrics_probe", "success") + 2
    assert runs(after, "metrics_probe_broken", "error") == runs(before, "metrics_probe_broken", "error") + 1
    assert runs(after, "metrics_probe", "error") == runs(before, "metrics_probe", "error")
    assert _value(after, "finora_job_duration_seconds", "finora_job_duration_seconds_count",
                  job="metrics_probe") == _value(before, "finora_job_duration_seconds",
                                                 "finora_job_duration_seconds_count", job="metrics_probe") + 2
    # The instance gauge: the probe succeeded a moment ago; the broken one never did.
    ages = {s.labels["job"]: s.value for s in after["finora_job_last_success_age_seconds"].samples}
    assert 0 <= ages["metrics_probe"] < 60
    assert "metrics_probe_broken" not in ages


def test_the_instance_gauges_and_no_personal_data(client):
    owner = create_user(name="Zelda Quintanilha", email="zelda.q@example.org", household_name="Casa Quintanilha")
    create_user(status="pending", name="Pedro Pendente", email="pedro@example.org")
    home = household_of(owner)
    entry = make_entry(home, description="Aluguel da Rua das Flores")
    response = client.get("/metrics")
    text = response.text
    families = _families(text)

    assert _value(families, "finora_households", "finora_households") == 2
    assert _value(families, "finora_users", "finora_users", status="active") == 1
    assert _value(families, "finora_users", "finora_users", status="pending") == 1
    assert _value(families, "finora_entries", "finora_entries") == 1
    assert _value(families, "finora_database_up", "finora_database_up") == 1
    assert _value(families, "finora_schema_at_head", "finora_schema_at_head") == 1
    assert _value(families, "finora_households_without_backup", "finora_households_without_backup") == 0
    version = client.application.config["VERSION"]
    assert _value(families, "finora_build_info", "finora_build_info", version=version) == 1

    for personal in ("Zelda", "Quintanilha", "zelda.q@example.org", "pedro@example.org",
                     "Pendente", "Aluguel", "Flores", "Casa"):
        assert personal not in text, personal
    labels = {name for family in families.values() for s in family.samples for name in s.labels}
    # python_info (the interpreter's version, single-process mode only) aside.
    python = {"implementation", "major", "minor", "patchlevel", "generation"}
    ours = {"handler", "method", "status", "job", "version"}
    assert labels - python <= ours | {"le", "quantile"}
    values = {value for family in families.values() for s in family.samples
              for key, value in s.labels.items() if key in ours}
    assert str(home.id) not in values and str(owner.id) not in values
    assert entry.id  # the entry was really there to count


def test_a_database_that_cannot_be_read_still_answers_with_the_http_families(client, monkeypatch):
    def unreachable(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr("finora.web.metrics.exposition.read_instance_gauges", unreachable)
    families = _scrape(client)
    assert _value(families, "finora_database_up", "finora_database_up") == 0
    assert "finora_households" not in families
    assert "http_request_duration_seconds" in families


def test_openmetrics_when_the_scraper_asks_for_it(client):
    response = client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert response.status_code == 200
    assert response.content_type.startswith("application/openmetrics-text")
    assert response.text.rstrip().endswith("# EOF")


def test_building_the_app_does_not_import_prometheus_client():
    code = (
        "import sys\n"
        "from finora import create_app\n"
        "create_app({'FINORA_ENV': 'testing', 'SQLALCHEMY_DATABASE_URI': 'sqlite://'})\n"
        "print('prometheus_client' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_a_schema_behind_the_code_reads_0(client, monkeypatch):
    from finora.services.system.schema import SchemaState

    behind = SchemaState(heads=("0020",), current=("0019",), reachable=True)
    monkeypatch.setattr("finora.web.metrics.exposition.schema_state", lambda: behind)
    assert _value(_scrape(client), "finora_schema_at_head", "finora_schema_at_head") == 0


def test_a_page_never_fails_for_its_metrics(client, monkeypatch):
    def broken():
        raise ValueError("env PROMETHEUS_MULTIPROC_DIR is not set or not a directory")

    monkeypatch.setattr("finora.web.metrics.http._families", broken)
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/no-such-page").status_code == 404


def test_a_missing_multiprocess_folder_fails_the_scrape_not_the_pages(client, monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "gone"))
    response = client.get("/metrics")
    assert response.status_code == 503
    assert "PROMETHEUS_MULTIPROC_DIR" in response.text
    assert client.get("/healthz").status_code in (200, 503)
