"""Rules as CSV through the web: the download in each language, upload round trip, the
table of bad rows with nothing written, limits on the file, and who may use the routes."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime

import pytest
import time_machine

from finora.extensions import db
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import household_of
from tests.planning_factories import make_rule
from tests.rules_csv_factories import furnish, make_awkward_rules, rule_fields

NOW = datetime(2026, 1, 15, 15, tzinfo=UTC)  # the households' today is 2026-01-15
HEADER = "Name,Amount,Type,Frequency,Start date,End date,Category,Account\n"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def upload(client, content: bytes, filename: str = "rules.csv"):
    return client.post(
        "/rules/import",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def problems(page: str) -> list[tuple[str, str, str]]:
    """(row, column, reason) of each line of the import's problem table."""
    found = []
    for row in re.findall(r'<tr class="import-problem".*?</tr>', page, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        found.append(tuple(html.unescape(cell).strip() for cell in cells))
    return found


def field_errors(page: str) -> str:
    return " ".join(
        html.unescape(text).strip()
        for text in re.findall(r'class="invalid-feedback d-block">(.*?)</div>', page, re.S)
    )


def set_language(user, locale: str) -> None:
    user.locale = locale
    db.session.commit()


@pytest.mark.parametrize(
    ("locale", "first_cells"),
    [
        ("pt", "\ufeffNome;Valor;Tipo;"),
        ("es", "\ufeffNombre;Importe;Tipo;"),
        ("en", "\ufeffName,Amount,Type,"),
    ],
)
def test_the_export_is_a_download_in_the_users_locale(
    client, auth, user, household, locale, first_cells
):
    furnish(household)
    make_awkward_rules(household)
    set_language(user, locale)
    auth.login(user.email)
    response = client.get("/rules/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.mimetype_params == {"charset": "utf-8"}
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="finora-rules-2026-01-15.csv"'
    )
    text = response.data.decode("utf-8")
    assert text.startswith(first_cells)
    assert len(text.splitlines()) == 8
    decimal = "," if locale != "en" else "."
    assert f"1500{decimal}00" in text
    assert "'=HYPERLINK(" in text and "\n=" not in text and ";=" not in text


@pytest.mark.parametrize("locale", ["pt", "en", "es"])
def test_a_download_uploaded_by_another_household_gives_the_same_rules(client, auth, locale):
    mine = create_user(locale=locale)
    theirs = create_user(locale=locale)
    furnish(household_of(mine))
    furnish(household_of(theirs))
    make_awkward_rules(household_of(mine))
    auth.login(mine.email)
    exported = client.get("/rules/export.csv").data
    auth.logout()
    auth.login(theirs.email)
    response = upload(client, exported)
    assert response.status_code == 302, problems(response.get_data(as_text=True))
    assert rule_fields(household_of(theirs)) == rule_fields(household_of(mine))
    assert client.get("/rules/export.csv").data == exported


def test_another_households_rules_are_never_exported(signed_in, household):
    make_rule(household, name="Mine")
    stranger = household_of(create_user())
    make_rule(stranger, name="Secret of theirs")
    text = signed_in.get("/rules/export.csv").get_data(as_text=True)
    assert "Mine" in text
    assert "Secret of theirs" not in text


def test_import_adds_to_the_existing_rules_and_says_how_many(signed_in, household):
    make_rule(household, name="Already here")
    content = (
        HEADER
        + "Gym,89.90,expense,monthly,2026-02-01,,Housing,Checking account\n"
        + ",,,,,,,\n"
        + "Bonus,500.00,income,yearly,2026-12-20,,Work,Checking account\n"
    ).encode()
    response = upload(signed_in, content)
    assert response.status_code == 302
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 rules imported." in page
    names = sorted(fields[0] for fields in rule_fields(household))
    assert names == ["Already here", "Bonus", "Gym"]


def test_bad_rows_are_listed_with_their_numbers_and_nothing_is_written(signed_in, household):
    make_rule(household, name="Already here")
    before = rule_fields(household)
    content = (
        HEADER
        + "Gym,89.90,expense,monthly,2026-02-01,,Housing,Checking account\n"  # row 2: good
        + "Vet,10.00,expense,monthly,2026-02-01,,Pets / Vet,Checking account\n"  # row 3
        + "Tax,10.00,expense,monthly,2026-02-01,,Housing,Wallet\n"  # row 4
        + "Fee,1.234,expense,monthly,2026-02-01,,Housing,Checking account\n"  # row 5
        + "Fee,10.00,expense,monthly,31/31/2026,,Housing,Checking account\n"  # row 6
        + "Fee,10.00,expense,monthly,2026-02-01,2026-01-01,Housing,Checking account\n"  # row 7
        + "Fee,10.00,expense,sometimes,2026-02-01,,Housing,Checking account\n"  # row 8
        + ",10.00,expense,monthly,2026-02-01,,Housing,Checking account\n"  # row 9
    ).encode()
    response = upload(signed_in, content)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was imported: 7 problems were found." in page
    assert problems(page) == [
        ("Row 3", "Category", "The category “Pets / Vet” does not exist."),
        ("Row 4", "Account", "The account “Wallet” does not exist."),
        ("Row 5", "Amount", "Use at most two decimal places."),
        ("Row 6", "Start date", "Enter a real date, such as 2026-03-31."),
        ("Row 7", "End date", "The end date cannot be before the first occurrence."),
        (
            "Row 8",
            "Frequency",
            "Enter how often it repeats: Once, Daily, Weekly, Every two weeks, Monthly, "
            "Quarterly, Yearly.",
        ),
        ("Row 9", "Name", "Name the rule."),
    ]
    assert rule_fields(household) == before


def test_problems_are_explained_in_the_users_language(client, auth, user, household):
    set_language(user, "pt")
    auth.login(user.email)
    content = "Nome;Valor;Tipo;frequency;start_date;end_date;Categoria;Conta\n"
    content += "Aluguel;abc;Despesa;Mensal;2026-02-01;;Moradia;Checking account\n"
    response = upload(client, content.encode())
    assert response.status_code == 422
    ((_row, column, reason),) = problems(response.get_data(as_text=True))
    assert column == "Valor"
    assert "1.234,56" in reason  # the example is written the Portuguese way


def test_a_file_must_be_chosen_and_small(signed_in, household):
    response = signed_in.post("/rules/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == "Choose a CSV file."
    response = upload(signed_in, HEADER.encode() + b" " * (1024 * 1024))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == "The file is larger than 1 MB."
    assert rule_fields(household) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV file."),
        (b"", "The file is empty."),
        (b"\xef\xbb\xbf\r\n \r\n", "The file is empty."),
        (b"Colour,Name\nred,Rent\n", "Unknown column “Colour”."),
        (HEADER.encode(), "The file has no rules to import."),
    ],
)
def test_a_file_that_is_not_a_rules_csv_is_refused_on_row_1(signed_in, household, content, message):
    response = upload(signed_in, content, filename="rules.csv")
    assert response.status_code == 422
    ((row, _column, reason),) = problems(response.get_data(as_text=True))
    assert row == "Row 1"
    assert reason.startswith(message)
    assert rule_fields(household) == []


def test_the_content_decides_not_the_file_name(signed_in, household):
    content = HEADER + "Gym,89.90,expense,monthly,2026-02-01,,Housing,Checking account\n"
    response = upload(signed_in, content.encode(), filename="rules.txt")
    assert response.status_code == 302
    assert len(rule_fields(household)) == 1


def test_the_import_page_and_the_list_link_to_each_other(signed_in):
    page = signed_in.get("/rules").get_data(as_text=True)
    assert 'href="/rules/export.csv"' in page
    assert 'href="/rules/import"' in page
    form = signed_in.get("/rules/import")
    assert form.status_code == 200
    text = form.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in text
    assert 'accept=".csv,text/csv"' in text


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "/rules/export.csv"), ("get", "/rules/import"), ("post", "/rules/import")],
)
def test_visitors_are_sent_to_sign_in(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_import_form_needs_its_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = create_user()
        client = app.test_client()
        token = csrf_token(client.get("/login").get_data(as_text=True))
        client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
        content = HEADER + "Gym,89.90,expense,monthly,2026-02-01,,Housing,Checking account\n"
        assert upload(client, content.encode()).status_code == 400
        assert rule_fields(household_of(user)) == []

        token = csrf_token(client.get("/rules/import").get_data(as_text=True))
        response = client.post(
            "/rules/import",
            data={"file": (io.BytesIO(content.encode()), "rules.csv"), "csrf_token": token},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
        assert len(rule_fields(household_of(user))) == 1


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
