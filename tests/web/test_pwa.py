"""The installable app's shell: the manifest, the service worker at the root scope, the
offline page, the icons, the profile's "This device" page and sign-out's Clear-Site-Data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from finora.version import __version__
from finora.web.pwa.views import OFFLINE_PAGES

STATIC = Path(__file__).resolve().parents[2] / "static"


def test_manifest_names_the_app_its_icons_colours_and_start(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["name"] == "Finora" and manifest["short_name"] == "Finora"
    assert manifest["start_url"] == "/dashboard" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "en" and manifest["description"] == "Self-hosted household finance"
    for colour in (manifest["theme_color"], manifest["background_color"],
                   *manifest["user_preferences"]["color_scheme_dark"].values()):
        assert re.fullmatch(r"#[0-9a-f]{6}", colour)
    assert manifest["user_preferences"]["color_scheme_dark"]["background_color"] != manifest["background_color"]
    icons = {(icon["sizes"], icon["purpose"]): icon["src"] for icon in manifest["icons"]}
    assert set(icons) == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for (sizes, _purpose), src in icons.items():
        assert client.get(src).status_code == 200
        with Image.open(STATIC / src.removeprefix("/static/")) as image:
            assert f"{image.width}x{image.height}" == sizes and image.format == "PNG"


def test_manifest_speaks_the_visitors_language(client):
    manifest = client.get("/manifest.webmanifest", headers={"Accept-Language": "pt-BR"}).get_json(force=True)
    assert manifest["lang"] == "pt"
    assert manifest["description"] == "Finanças domésticas auto-hospedadas"


def test_maskable_icon_fills_the_canvas_and_any_icons_have_round_corners():
    with Image.open(STATIC / "img/icons/maskable-512.png") as image:
        rgba = image.convert("RGBA")
        assert rgba.getpixel((0, 0)) == (0x1F, 0x6F, 0x5C, 255)  # no transparent corner
        # The drawing stays inside the safe circle (radius 40% of the width): the ring outside
        # it is plain background.
        for x, y in ((60, 256), (452, 256), (256, 60), (256, 452), (110, 110), (402, 402)):
            assert rgba.getpixel((x, y)) == (0x1F, 0x6F, 0x5C, 255), (x, y)
    with Image.open(STATIC / "img/icons/icon-512.png") as image:
        assert image.convert("RGBA").getpixel((0, 0))[3] == 0  # a rounded, transparent corner


def test_service_worker_is_served_for_the_whole_app_with_the_version(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    script = response.get_data(as_text=True)
    version = re.search(r'const VERSION = "([^"]+)";', script).group(1)
    assert version.startswith(__version__ + "-")
    assert '"finora-static-" + VERSION' in script and '"finora-pages-" + VERSION' in script
    assert 'const OFFLINE_URL = "/offline";' in script
    assert "/static/js/pwa.js" in script  # precached for the offline page
    assert "{{" not in script and "{%" not in script


def test_signed_in_worker_response_is_checked_again_on_every_visit(signed_in):
    # The worker and the manifest hold nothing of anyone's: the same no-cache signed in
    # or not (signed-in pages are no-store).
    response = signed_in.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert signed_in.get("/dashboard", follow_redirects=True).headers["Cache-Control"] == "no-store"


def test_service_worker_changes_when_a_static_file_changes(app, client, tmp_path):
    before = re.search(r'const VERSION = "([^"]+)";', client.get("/sw.js").get_data(as_text=True)).group(1)
    static = tmp_path / "static"
    (static / "js").mkdir(parents=True)
    (static / "js" / "app.js").write_text("// one")
    app.static_folder = str(static)
    app.debug = True  # recomputed on each request
    try:
        first = re.search(r'VERSION = "([^"]+)"', client.get("/sw.js").get_data(as_text=True)).group(1)
        (static / "js" / "app.js").write_text("// two")
        second = re.search(r'VERSION = "([^"]+)"', client.get("/sw.js").get_data(as_text=True)).group(1)
    finally:
        app.debug = False
    assert len({before, first, second}) == 3


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("/dashboard", True), ("/dashboard/2026/12", True), ("/dashboard/2026", True),
        ("/forecast", True), ("/reports/", True), ("/reports/month", True),
        ("/reports/year", True), ("/reports/accounts", True), ("/reports/budget", True),
        ("/reports/net-worth", True), ("/reports/net-worth.csv", False),
        ("/reports/month.pdf", False), ("/reports/year.csv", False), ("/dashboard/go", False),
        ("/forecast/scenarios", False), ("/profile", False), ("/profile/device", False),
        ("/login", False), ("/logout", False), ("/api/v1/accounts", False), ("/entries/", False),
    ],
)
def test_only_read_only_pages_may_be_kept_offline(path, kept):
    assert any(re.search(pattern, path) for pattern in OFFLINE_PAGES) is kept


def test_offline_page_is_branded_and_about_no_one(signed_in, user):
    response = signed_in.get("/offline")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    html = response.get_data(as_text=True)
    assert "Finora" in html and "data-pwa-retry" in html and "img/favicon.svg" in html
    assert user.email not in html and user.name not in html
    assert "csrf" not in html.lower() and "/logout" not in html
    assert response.headers["Cache-Control"] == "no-store"  # signed in: the HTTP cache keeps nothing


def test_offline_page_in_portuguese(client):
    response = client.get("/offline", headers={"Accept-Language": "pt-BR"})
    assert response.headers["Content-Language"] == "pt"
    html = response.get_data(as_text=True)
    assert "Você está sem conexão" in html and "Tentar de novo" in html


def test_pages_link_the_manifest_and_register_the_worker_only_when_signed_in(client, signed_in):
    page = signed_in.get("/profile").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert page.count('name="theme-color"') == 2
    assert 'id="offline-banner"' in page and "data-pwa-install" in page
    assert 'src="/static/js/pwa.js"' in page and 'data-worker="/sw.js"' in page
    signed_in.post("/logout")
    public = client.get("/login").get_data(as_text=True)
    assert 'src="/static/js/pwa.js"' in public and 'data-worker=' not in public


def test_profile_device_page_offers_the_choice_off_by_default(signed_in):
    response = signed_in.get("/profile/device")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="offline-pages-choice"' in html
    assert re.search(r'<input[^>]*id="offline-pages-choice"[^>]*>', html).group(0).count("checked") == 0
    assert "Keep the pages I open available offline on this device" in html
    assert response.headers["Cache-Control"] == "no-store"
    assert 'href="/profile/device"' in signed_in.get("/profile").get_data(as_text=True)


def test_profile_device_page_needs_a_signed_in_user(client):
    response = client.get("/profile/device")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sign_out_clears_the_site_data(signed_in):
    response = signed_in.post("/logout")
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
