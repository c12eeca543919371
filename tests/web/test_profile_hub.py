"""The profile hub lists the registered sections; a section shows only to users it is for."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from finora.web.profile import sections as registry


def test_signed_out_visitors_go_to_sign_in(client):
    response = client.get("/profile")
    assert response.status_code == 302 and "/login" in response.location


def test_the_hub_shows_each_visible_section_with_its_summary(signed_in, user, monkeypatch):
    monkeypatch.setattr(registry, "_SECTIONS", {})
    registry.register(registry.Section("a", _l("Profile"), "profile.index", "bi-person", 2,
                                       summary=lambda u: f"for {u.name}"))
    registry.register(registry.Section("b", _l("Hidden"), "profile.index", "bi-x", 1,
                                       visible=lambda u: False))
    page = signed_in.get("/profile").get_data(as_text=True)
    assert 'id="profile-a"' in page and f"for {user.name}" in page
    assert 'id="profile-b"' not in page
    assert 'href="/profile"' in page
