"""CSP with a per-request nonce, security headers, no inline handlers, nothing from a CDN."""

from __future__ import annotations

import re
from pathlib import Path

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
