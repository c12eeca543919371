"""The sign-up's currency list offers current ISO 4217 currencies only, common ones first,
then the rest by their name in the reader's language; time zones are grouped by country
(named in the reader's language) with no label twice in a group and no legacy aliases."""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import date

from finora.extensions import db
from finora.services.system.currencies import COMMON_CURRENCIES, current_currencies
from finora.services.system.time_zones import zones_by_country
from tests.ledger_factories import household_of
from tests.web.test_signup import form

OPTION = re.compile(r'<option(?: selected)? value="([^"]*)">([^<]*)</option>')
GROUP = re.compile(r'<optgroup label="([^"]*)">(.*?)</optgroup>', re.S)


def _reading_order(name: str) -> str:
    """A reader's alphabetical order: "Côte d’Ivoire" sits with "Cote", before "Croatia"."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def _select(page: str, name: str) -> str:
    start = page.index(f'id="{name}"')
    return page[start : page.index("</select>", start)]


def _signup_page(client, language: str) -> str:
    return client.get("/signup", headers={"Accept-Language": language}).get_data(as_text=True)


def test_current_currencies_only():
    codes = current_currencies(date(2026, 12, 1))
    assert {"BRL", "EUR", "USD", "GBP", "JPY", "XOF", "VES"} <= codes
    # withdrawn national currencies, fund and metal codes, testing codes
    withdrawn = {"DEM", "FRF", "ESP", "PTE", "ITL", "HRK", "BRB", "BRZ", "VEF", "ZWD", "LTL"}
    funds = {"BOV", "CLF", "COU", "MXV", "UYI", "CHE", "CHW", "USN", "XAU", "XDR", "XTS", "XXX"}
    assert not codes & (withdrawn | funds)
    # Croatia kept the kuna until 2023
    assert "HRK" in current_currencies(date(2021, 6, 1))


def test_the_list_offers_common_currencies_first_then_the_rest_by_name(client):
    select = _select(_signup_page(client, "en"), "currency")
    groups = GROUP.findall(select)
    assert [label for label, _body in groups] == ["Common currencies", "Other currencies"]
    common = [code for code, _label in OPTION.findall(groups[0][1])]
    assert common[:4] == ["BRL", "EUR", "USD", "GBP"] and common == list(COMMON_CURRENCIES)
    rest = OPTION.findall(groups[1][1])
    names = [html.unescape(label).rsplit(" (", 1)[0] for _code, label in rest]
    assert names == sorted(names, key=_reading_order)
    offered = {code for code, _label in OPTION.findall(select)}
    assert offered == set(current_currencies()) and "DEM" not in offered and "XAU" not in offered
    assert '<option value="JPY">Japanese Yen (JPY)</option>' in select


def test_currency_names_follow_the_language(client):
    select = _select(_signup_page(client, "pt"), "currency")
    assert '<option selected value="BRL">Real brasileiro (BRL)</option>' in select
    assert '<option value="USD">Dólar americano (USD)</option>' in select


def test_a_withdrawn_currency_is_refused(client):
    response = client.post("/signup", data=form(currency="DEM"))
    assert response.status_code == 422


def test_time_zones_are_grouped_by_country_without_duplicate_labels(client):
    select = _select(_signup_page(client, "en"), "timezone")
    groups = GROUP.findall(select)
    countries = [html.unescape(label) for label, _body in groups]
    assert len(countries) == len(set(countries)) == len(zones_by_country())
    assert countries == sorted(countries, key=_reading_order)
    assert countries.index("Côte d’Ivoire") < countries.index("Croatia")
    by_country = {html.unescape(label): OPTION.findall(body) for label, body in groups}
    assert ("America/Sao_Paulo", "Sao Paulo") in by_country["Brazil"]
    assert ("America/Kentucky/Louisville", "Louisville (Kentucky)") in by_country["United States"]
    assert ("Europe/Lisbon", "Lisbon") in by_country["Portugal"]
    for country, options in by_country.items():
        labels = [label for _zone, label in options]
        assert len(labels) == len(set(labels)), country
    values = [zone for zone, _label in OPTION.findall(select)]
    assert len(values) == len(set(values))
    # legacy aliases of a listed zone are not offered twice
    assert "America/Argentina/Buenos_Aires" in values and "America/Buenos_Aires" not in values
    assert "Asia/Kolkata" in values and "Asia/Calcutta" not in values
    assert values[-1] == "UTC"


def test_country_and_city_names_follow_the_language(client):
    select = _select(_signup_page(client, "pt"), "timezone")
    assert '<optgroup label="Alemanha"><option value="Europe/Berlin">Berlim</option>' in select
    assert '<option selected value="America/Sao_Paulo">São Paulo</option>' in select


def test_a_stored_zone_missing_from_the_list_is_kept_on_save(signed_in, user):
    household = household_of(user)
    household.timezone = "America/Buenos_Aires"  # an alias the old list offered
    db.session.commit()
    page = signed_in.get("/household").get_data(as_text=True)
    assert '<option selected value="America/Buenos_Aires">' in _select(page, "timezone")
    response = signed_in.post(
        "/household", data={"name": household.name, "timezone": "America/Buenos_Aires", "country": ""}
    )
    assert response.status_code == 302
    db.session.refresh(household)
    assert household.timezone == "America/Buenos_Aires"
