"""CSP with a per-request nonce, security headers, no inline handlers, nothing from a CDN."""

from __future__ import annotations

import re
from pathlib import Path

from flask import url_for

ROOT = Path(__file__).resolve().parents[2]


def test_csp_has_a_fresh_nonce_that_the_scripts_carry(client):
    first = client.get("/")
    second = client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", first.headers["Content-Security-Policy"]).group(1)
    other = re.search(r"'nonce-([^']+)'", second.headers["Content-Security-Policy"]).group(1)
    assert nonce != other
    page = first.get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts
    assert all(f'nonce="{nonce}"' in tag and "src=" in tag for tag in scripts)


def test_csp_forbids_inline_code_and_framing(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp


def test_security_headers(client):
    headers = client.get("/login").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers


def test_hsts_when_cookies_are_secure(app_factory):
    app = app_factory(SESSION_COOKIE_SECURE=True)
    with app.app_context():
        headers = app.test_client().get("/").headers
    assert "max-age" in headers["Strict-Transport-Security"]


def test_session_cookie_flags(client):
    response = client.post("/language", data={"locale": "en", "next": "/"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_templates_have_no_inline_handlers_styles_or_scripts():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\son[a-z]+\s*=", text), f"inline event handler in {path}"
        assert not re.search(r"\sstyle\s*=", text), f"inline style in {path}"
        for tag in re.findall(r"<script[^>]*>", text):
            assert "src=" in tag, f"inline script in {path}"


def test_nothing_is_loaded_from_another_site():
    pattern = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""")
    for folder in ("templates", "static/css", "static/js"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".html", ".css", ".js"}:
                assert not pattern.search(path.read_text(encoding="utf-8")), path


def test_vendored_assets_are_served(client):
    page = client.get("/").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert any("bootstrap.min.css" in a for a in assets)
    assert any("bootstrap.bundle.min.js" in a for a in assets)
    assert any("bootstrap-icons" in a for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    font = client.get("/static/vendor/bootstrap-icons-1.13.2/fonts/bootstrap-icons.woff2")
    assert font.status_code == 200


def test_hsts_whenever_the_request_came_over_https(client):
    headers = client.get("/login", base_url="https://finora.test").headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000"


def test_hsts_behind_a_trusted_proxy_that_terminated_tls(app_factory):
    proxied = app_factory(TRUSTED_PROXIES=1)
    direct = app_factory()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    with proxied.app_context():
        assert "Strict-Transport-Security" in proxied.test_client().get("/", headers=forwarded).headers
    # Without a trusted proxy anyone could send the header: plain HTTP stays plain.
    with direct.app_context():
        assert "Strict-Transport-Security" not in direct.test_client().get("/", headers=forwarded).headers


def test_signed_in_pages_are_never_stored(signed_in):
    for path in ("/dashboard", "/entries/", "/accounts/", "/no-such-page"):
        response = signed_in.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
    redirect = signed_in.post("/logout")
    assert redirect.headers["Cache-Control"] == "no-store"


def test_sign_in_pages_are_never_stored(client):
    for path in ("/login", "/signup"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_public_pages_and_static_assets_may_be_cached(client, signed_in):
    # `signed_in` signs `client` in; a second client stays a visitor.
    visitor = client.application.test_client()
    assert "no-store" not in visitor.get("/healthz").headers.get("Cache-Control", "")
    page = signed_in.get("/dashboard", follow_redirects=True).get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert assets
    with client.application.test_request_context():
        assets.append(url_for("assets.plotly_js"))
    for asset in assets:
        response = signed_in.get(asset)
        assert response.status_code == 200, asset
        assert "no-store" not in response.headers.get("Cache-Control", ""), asset
