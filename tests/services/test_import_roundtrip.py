"""A full CSV export of a household ("everything") comes back in through the import page's
services into an empty household with the same account names, with zero differences, in
pt, en, es and the plain style; and the pieces that make it so: the export's headers and
words recognised, rows that name their own account, paid-on dates, the apostrophe the
export puts before formula-looking cells taken off again."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from finora.dates import date_window
from finora.extensions import db
from finora.models import Account, Entry, Household, ImportBatch
from finora.services.exports.csv_export import csv_chunks
from finora.services.exports.entry_rows import export_rows
from finora.services.imports.accounts import AccountNames
from finora.services.imports.batches import undo_batch
from finora.services.imports.commit import commit_import
from finora.services.imports.parse import guess_table, parse_staged
from finora.services.imports.review import build_review
from finora.services.imports.staging import save_staged, stage_upload
from finora.services.imports.tabular import guess_mapping, mapping_problems
from finora.services.imports.tabular.apply import unguard
from finora.services.ledger.catalogue import create_category
from finora.services.ledger.payees import set_entry_payee
from finora.services.ledger.tags import set_entry_tags
from tests.factories import create_user
from tests.ledger_factories import (
    category,
    checking_account,
    household_of,
    make_account,
    make_entry,
)

ACCOUNTS = ("Itaú Corrente", "Poupança da Família", "Cartão Nubank")
STYLES = [("locale", "pt"), ("locale", "en"), ("locale", "es"), ("plain", "en")]


def _accounts(household: Household) -> dict[str, Account]:
    """The household's checking account renamed, and the two others made, by name."""
    first = checking_account(household)
    first.name = ACCOUNTS[0]
    db.session.commit()
    return {
        ACCOUNTS[0]: first,
        ACCOUNTS[1]: make_account(household, name=ACCOUNTS[1], kind="savings"),
        ACCOUNTS[2]: make_account(household, name=ACCOUNTS[2], kind="credit_card"),
    }


def _varied_household(today: date) -> Household:
    """Income and expenses over three accounts, seeded and custom categories with
    subcategories, paid (on another day than the date), pending and overdue entries,
    hostile text, twins, thousands and whole amounts."""
    household = household_of(create_user())
    accounts = _accounts(household)
    checking, savings, card = (accounts[name] for name in ACCOUNTS)
    pets = create_category(db.session, household, kind="expense", name="Pets")
    vet = create_category(db.session, household, kind="expense", name="Vet & Groomer", parent=pets)
    organic = create_category(
        db.session, household, kind="expense", name="Orgânicos", parent=category(household, "expense.food")
    )
    freelance = create_category(db.session, household, kind="income", name="Freelance; design")
    db.session.commit()

    def entry(day, amount, description, **fields):
        return make_entry(household, date=day, amount=Decimal(amount), description=description, **fields)

    entry(date(2026, 1, 5), "3500.00", "Salário ACME", kind="income", account=checking,
          paid_on=date(2026, 1, 5), payment_method="bank_transfer")
    entry(date(2026, 1, 13), "1234.56", "Mercado Bom Preço", account=card, paid_on=date(2026, 1, 15),
          payment_method="credit_card", notes='Compra do mês; "promoção" — açúcar e café')
    for _twin in range(2):  # two genuine coffees: same day, amount and description
        entry(date(2026, 1, 20), "12.30", "Padaria São João", account=checking,
              paid_on=date(2026, 1, 20), payment_method="debit_card")
    entry(date(2026, 1, 21), "5.00", "=SUM(A1:A3)", account=checking, paid_on=date(2026, 1, 22),
          payment_method="cash", notes="+55 11 99999-0000\nsegunda linha; com 'aspas'")
    entry(date(2026, 1, 22), "7.50", "+Farmácia Popular", account=checking, paid_on=date(2026, 1, 22),
          notes="-tarja preta")
    entry(date(2026, 1, 23), "8.00", "@mercado", account=card, paid_on=date(2026, 1, 23))
    entry(date(2026, 1, 24), "9.00", "'=já com apóstrofo", account=card, paid_on=date(2026, 1, 24))
    entry(date(2026, 1, 25), "19.99", 'Loja "Bom, Barato"', account=card, paid_on=date(2026, 1, 26),
          category="expense.food", subcategory=organic)
    entry(date(2026, 2, 3), "99.90", "Conta de luz", paid_on=None, account=checking,
          category="expense.housing", subcategory=None)  # overdue
    entry(date(2026, 2, 20), "1000.00", "Projeto logo", kind="income", account=savings,
          paid_on=date(2026, 2, 28), category=freelance, subcategory=None)
    entry(date(2026, 2, 27), "12345.67", "Reforma da cozinha", account=savings, paid_on=date(2026, 3, 2),
          payment_method="bank_transfer")
    vet_visit = entry(today + timedelta(days=20), "250.00", "Veterinário", account=card, category=pets,
                      subcategory=vet)  # pending
    # A payee and tags (one with a comma-free accent, one with a space) come back too.
    kitchen = db.session.scalar(select(Entry).where(Entry.description == "Reforma da cozinha"))
    set_entry_payee(db.session, household, vet_visit, "Clínica Pet")
    set_entry_tags(db.session, household, vet_visit, ["pets", "saúde"])
    set_entry_payee(db.session, household, kitchen, "Leroy Merlin")
    set_entry_tags(db.session, household, kitchen, ["casa nova"])
    db.session.commit()
    return household


def _empty_twin() -> tuple[Household, object, Account]:
    """A new household with the same account names and nothing else of its own."""
    user = create_user()
    household = household_of(user)
    accounts = _accounts(household)
    return household, user, accounts[ACCOUNTS[0]]


def _sort_key(values: tuple) -> tuple:
    return tuple("" if value is None else str(value) for value in values)


def _ledger(household: Household) -> list[tuple]:
    """What the round trip must keep, for every entry: labels in the current language."""
    entries = db.session.scalars(select(Entry).where(Entry.household_id == household.id))
    rows = [
        (
            e.date, e.description, e.amount, e.kind, e.category.label,
            e.subcategory.label if e.subcategory else None, e.account.name, e.payment_method,
            e.paid_on, e.notes, e.payee.name if e.payee else None, tuple(t.name for t in e.tags),
        )
        for e in entries
    ]
    return sorted(rows, key=_sort_key)


def _export(household: Household, style: str, locale: str) -> bytes:
    first, last = date_window()
    with force_locale(locale):
        rows = export_rows(db.session, household, first, last, None, locale=locale)
        return b"".join(csv_chunks(rows, style, locale))


def _import(household, user, account, data: bytes, name: str):
    """The import page's steps: stage, guess the mapping (nothing to ask), parse, review,
    commit."""
    staged = stage_upload(household, user, name, data)
    assert staged.format == "csv"
    table = guess_table(staged)
    mapping = guess_mapping(table)
    assert mapping_problems(table, mapping) == []
    assert {"account", "paid_on", "kind", "subcategory", "notes"} <= set(mapping.columns)
    assert not {"rule", "import"} & set(mapping.columns)
    staged.account_id, staged.mapping = account.id, mapping.as_dict()
    save_staged(staged)
    parsed = parse_staged(staged, max_rows=20_000)
    review = build_review(db.session, household, account, parsed)
    batch = commit_import(db.session, household, user, account, staged, parsed, review)
    db.session.commit()
    return parsed, review, batch


@pytest.mark.parametrize(("style", "locale"), STYLES)
def test_a_full_csv_export_comes_back_into_an_empty_household_with_zero_differences(app, style, locale):
    today = date.today()
    source = _varied_household(today)
    target, user, default_account = _empty_twin()
    data = _export(source, style, locale)
    with force_locale(locale):
        expected = _ledger(source)
        parsed, review, batch = _import(target, user, default_account, data, f"finora-{locale}.csv")
        assert parsed.errors == [] and review.errors == []
        assert review.counts == {"new": len(expected), "duplicate": 0, "match": 0, "error": 0}
        assert batch.added == len(expected) and batch.account_id == default_account.id
        assert _ledger(target) == expected

        # The same file again adds nothing: keys are per row's account, twins included.
        _parsed, again, second = _import(target, user, default_account, data, "again.csv")
        assert again.counts["duplicate"] == len(expected) and second.added == 0

        # Undo removes exactly the first batch's entries, in every account.
        assert undo_batch(db.session, db.session.get(ImportBatch, batch.id), user) == len(expected)
        db.session.commit()
        assert _ledger(target) == []


def test_the_export_in_each_style_needs_no_question(app):
    """The header words, kinds, statuses and payment methods of every style are known."""
    source = _varied_household(date.today())
    for style, locale in STYLES:
        with force_locale(locale):
            target, user, account = _empty_twin()
            staged = stage_upload(target, user, "x.csv", _export(source, style, locale))
            table = guess_table(staged)
            mapping = guess_mapping(table)
            assert mapping_problems(table, mapping) == [], (style, locale)
            header = dict(zip(range(len(table.header)), table.header, strict=True))
            roles = {role: header[index] for role, index in mapping.columns.items()}
            assert len(roles) == 14, (style, locale, roles)


# The export's headers as the contract of issue 15 fixes them (the file format the import
# reads back, whether or not the running catalogues translate them yet).
HEADERS = {
    "pt": "Data;Descrição;Valor;Tipo;Categoria;Subcategoria;Conta;Forma de pagamento;Situação;"
          "Pago em;Notas;Regra recorrente;Importação;Favorecido;Etiquetas;Divisão",
    "en": "Date,Description,Amount,Kind,Category,Subcategory,Account,Payment method,Status,"
          "Paid on,Notes,Recurring rule,Import,Payee,Tags,Split",
    "es": "Fecha;Descripción;Importe;Tipo;Categoría;Subcategoría;Cuenta;Método de pago;Estado;"
          "Pagado el;Notas;Regla recurrente;Importación;Beneficiario;Etiquetas;División",
    "plain": "date,description,amount,kind,category,subcategory,account,payment_method,status,"
             "paid_on,notes,rule,import,payee,tags,split",
}
ROLES = ("date", "description", "amount", "kind", "category", "subcategory", "account",
         "payment_method", "paid", "paid_on", "notes", "payee", "tags", "split")


@pytest.mark.parametrize(("style", "locale"), STYLES)
def test_the_export_under_the_contracts_translated_header_comes_back_the_same(app, style, locale):
    source = _varied_household(date.today())
    target, user, default_account = _empty_twin()
    data = _export(source, style, locale).decode("utf-8-sig")
    body = data.split("\r\n", 1)[1]
    header = HEADERS["plain" if style == "plain" else locale]
    with force_locale(locale):
        expected = _ledger(source)
        _parsed, review, _batch = _import(
            target, user, default_account, ("\ufeff" + header + "\r\n" + body).encode("utf-8"), "x.csv"
        )
        assert review.counts["new"] == len(expected) and review.errors == []
        assert _ledger(target) == expected


EXPORT_ROWS = {  # a day and a month of 12 or less: both orders read every date
    "pt": ["05/01/2026;Padaria;-12,30;Despesa;Alimentação;Padaria;Itaú Corrente;Dinheiro;Pago;06/01/2026;;;",
           "03/02/2026;Salário;3.500,00;Receita;Trabalho;Salário;Itaú Corrente;Outro;Pendente;;;;"],
    "es": ["05/01/2026;Panadería;-12,30;Gasto;Alimentación;;Itaú Corrente;Efectivo;Pagado;06/01/2026;;;",
           "03/02/2026;Salario;3.500,00;Ingreso;Trabajo;;Itaú Corrente;Otro;Vencido;;;;"],
    "en": ["05/01/2026,Bakery,-12.30,Expense,Food,,Itaú Corrente,Cash,Paid,05/02/2026,,,",
           '03/02/2026,Salary,"3,500.00",Income,Work,,Itaú Corrente,Other,Overdue,,,,'],
}


@pytest.mark.parametrize(("language", "order"), [("pt", "dmy"), ("es", "dmy"), ("en", "mdy")])
def test_an_exports_header_settles_dates_that_fit_two_orders(app, language, order):
    """05/01 and 03/02 read either way: Finora's own export says its order by its language;
    every column but the rule's and the import's is recognised."""
    household, user, _account = _empty_twin()
    data = "\r\n".join([HEADERS[language], *EXPORT_ROWS[language]]).encode("utf-8")
    staged = stage_upload(household, user, "x.csv", data)
    table = guess_table(staged)
    mapping = guess_mapping(table)
    assert mapping.date_order == order and mapping_problems(table, mapping) == []
    assert [role for role in ROLES if role in mapping.columns] == list(ROLES)
    assert sorted(mapping.columns.values()) == [*range(11), 13, 14, 15]  # not 11, 12: rule, import


def test_a_file_that_is_not_an_export_still_asks_for_the_date_order(app):
    household, user, _account = _empty_twin()
    data = "Data;Histórico;Valor\r\n05/01/2026;Padaria;-12,30\r\n03/02/2026;Mercado;-40,00\r\n"
    staged = stage_upload(household, user, "x.csv", data.encode("utf-8"))
    table = guess_table(staged)
    mapping = guess_mapping(table)
    assert mapping.date_order is None and mapping_problems(table, mapping)


PAGE_ACCOUNT_CSV = (
    "Data;Descrição;Valor;Tipo;Conta;Situação;Pago em\n"
    "14/03/2026;Aluguel;-1.500,00;Despesa;poupanca da familia;Pago;15/03/2026\n"
    "14/03/2026;Aluguel;-1.500,00;Despesa;;Pendente;\n"
    "15/03/2026;Cinema;-40,00;Despesa;Conta Fantasma;Pago;15/03/2026\n"
    "16/03/2026;Bônus;2.000,00;Receita;ITAÚ CORRENTE;Vencido;\n"
    "17/03/2026;Mesada;100,00;Receita;;Pago;\n"
)


def test_rows_go_to_the_account_they_name_and_the_others_to_the_pages(app):
    household, user, checking = _empty_twin()
    savings = db.session.scalar(select(Account).where(Account.household_id == household.id,
                                                      Account.name == ACCOUNTS[1]))
    with force_locale("en"):
        staged = stage_upload(household, user, "contas.csv", PAGE_ACCOUNT_CSV.encode("utf-8"))
        table = guess_table(staged)
        mapping = guess_mapping(table)
        assert mapping_problems(table, mapping) == []
        staged.account_id, staged.mapping = savings.id, mapping.as_dict()
        save_staged(staged)
        parsed = parse_staged(staged, max_rows=100)
        review = build_review(db.session, household, savings, parsed)
        assert [error.reason for error in review.errors] == [
            "No account named “Conta Fantasma” in this household."
        ]
        assert review.counts == {"new": 4, "duplicate": 0, "match": 0, "error": 1}
        # The rents are twins in one account (one names it, one takes the page's): both new.
        assert [(item.account.name, item.status) for item in review.rows] == [
            (ACCOUNTS[1], "new"), (ACCOUNTS[1], "new"), (ACCOUNTS[0], "new"), (ACCOUNTS[1], "new"),
        ]
        batch = commit_import(db.session, household, user, savings, staged, parsed, review)
        db.session.commit()
    assert (batch.added, batch.errors, batch.rows_in_file) == (4, 1, 5)
    # Given the household's accounts, the parser makes it an error row of the file, with
    # its cells (for the CSV of rows to fix).
    with force_locale("en"):
        parsed = parse_staged(staged, max_rows=100, accounts=AccountNames(db.session, household))
    assert [(error.line, error.reason, error.cells[4]) for error in parsed.errors] == [
        (4, "No account named “Conta Fantasma” in this household.", "Conta Fantasma")
    ]
    entries = db.session.scalars(select(Entry).where(Entry.household_id == household.id))
    got = sorted(((e.description, e.account.name, e.date, e.paid_on) for e in entries), key=_sort_key)
    assert got == [
        ("Aluguel", ACCOUNTS[1], date(2026, 3, 14), None),  # "Pendente", no paid-on date
        ("Aluguel", ACCOUNTS[1], date(2026, 3, 14), date(2026, 3, 15)),  # paid on its own day
        ("Bônus", ACCOUNTS[0], date(2026, 3, 16), None),  # "Vencido": not paid
        ("Mesada", ACCOUNTS[1], date(2026, 3, 17), date(2026, 3, 17)),  # paid, no day: its date
    ]
    assert checking.id != savings.id


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("'=SUM(A1)", "=SUM(A1)"),
        ("'+55 11", "+55 11"),
        ("'-x", "-x"),
        ("'@home", "@home"),
        ("'\tx", "\tx"),
        ("''=x", "'=x"),  # the export's apostrophe before one the text had
        ("'quoted'", "'quoted'"),  # no formula behind it: the apostrophe is the text's
        ("'", "'"),
        ("=x", "=x"),
        ("-12,30", "-12,30"),
    ],
)
def test_the_apostrophe_before_a_formula_looking_cell_is_taken_off(cell, value):
    assert unguard(cell) == value


def test_the_pages_guess_the_new_roles_and_the_review_shows_each_rows_account(app, signed_in, household):
    client = signed_in
    accounts = _accounts(household)
    savings = accounts[ACCOUNTS[1]]
    response = client.post(
        "/imports/",
        data={"file": (io.BytesIO(PAGE_ACCOUNT_CSV.encode("utf-8")), "contas.csv"), "account_id": str(savings.id)},
        content_type="multipart/form-data",
    )
    token = re.search(r"/imports/([A-Za-z0-9_-]+)/mapping$", response.headers["Location"]).group(1)
    page = client.get(f"/imports/{token}/mapping").text
    chosen = dict(re.findall(r'name="(column-\d+)"[^>]*>.*?<option value="(\w+)" selected', page, re.S))
    assert chosen["column-4"] == "account" and chosen["column-6"] == "paid_on"
    form = {
        "encoding": "utf-8", "delimiter": "semicolon", "header_row": "0", "date_order": "dmy",
        "number_style": "comma_decimal", "account_id": str(savings.id), "action": "continue", **chosen,
    }
    response = client.post(f"/imports/{token}/mapping", data=form)
    assert response.status_code == 302, response.text[:2000]
    page = html.unescape(client.get(f"/imports/{token}/review").text)
    assert 'id="import-own-accounts"' in page
    shown = re.findall(r'class="text-nowrap import-account">(.*?)</td>', page)
    assert shown == [ACCOUNTS[1], ACCOUNTS[1], ACCOUNTS[0], ACCOUNTS[1]]
    assert "Conta Fantasma" in page  # the row with an unknown account is an error row
    errors = list(csv.reader(io.StringIO(client.get(f"/imports/{token}/errors.csv").data.decode("utf-8-sig"))))
    assert errors[1][:5] == ["15/03/2026", "Cinema", "-40,00", "Despesa", "Conta Fantasma"]
    response = client.post(f"/imports/{token}/review", data={"account_id": savings.id, "action": "import"})
    assert response.status_code == 302, response.text[:2000]
    batch = db.session.scalar(select(ImportBatch).where(ImportBatch.household_id == household.id))
    assert (batch.added, batch.errors, batch.account_id) == (4, 1, savings.id)
    in_checking = db.session.scalars(
        select(Entry.description).where(Entry.account_id == accounts[ACCOUNTS[0]].id)
    ).all()
    assert in_checking == ["Bônus"]


def test_the_command_line_sends_rows_to_the_accounts_they_name(app, tmp_path):
    household, _user, checking = _empty_twin()
    path = tmp_path / "contas.csv"
    path.write_bytes(PAGE_ACCOUNT_CSV.encode("utf-8"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["finora", "import", str(path), "--account", str(checking.id), "--dry-run"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert [row.get("account") for row in shown["rows"]] == [ACCOUNTS[1], None, ACCOUNTS[0], None]
    assert shown["errors"] == [{"row": 4, "reason": "No account named “Conta Fantasma” in this household."}]
    result = runner.invoke(args=["finora", "import", str(path), "--account", str(checking.id)])
    assert result.exit_code == 0, result.output
    by_account = dict(
        db.session.execute(
            select(Account.name, func.count(Entry.id)).join(Entry.account)
            .where(Entry.household_id == household.id).group_by(Account.name)
        ).all()
    )
    assert by_account == {ACCOUNTS[0]: 3, ACCOUNTS[1]: 1}


def test_a_row_matches_a_pending_entry_of_the_account_it_names_only(app):
    household, user, checking = _empty_twin()
    savings = db.session.scalar(
        select(Account).where(Account.household_id == household.id, Account.name == ACCOUNTS[1])
    )
    # The same pending bill in two accounts: the row names the savings account.
    in_checking = make_entry(household, date=date(2026, 4, 10), amount=Decimal("80.00"), account=checking)
    in_savings = make_entry(household, date=date(2026, 4, 10), amount=Decimal("80.00"), account=savings)
    data = "date,description,amount,kind,account,paid_on\n2026-04-11,Gym,-80.00,expense,Poupança da Família,2026-04-12\n"
    staged = stage_upload(household, user, "x.csv", data.encode("utf-8"))
    table = guess_table(staged)
    mapping = guess_mapping(table)
    staged.account_id, staged.mapping = checking.id, mapping.as_dict()
    save_staged(staged)
    parsed = parse_staged(staged, max_rows=10)
    review = build_review(db.session, household, checking, parsed)
    assert [(item.status, item.match.id, item.account.id) for item in review.rows] == [
        ("match", in_savings.id, savings.id)
    ]
    batch = commit_import(db.session, household, user, checking, staged, parsed, review)
    db.session.commit()
    assert batch.matched == 1 and batch.added == 0
    db.session.expire_all()
    assert db.session.get(Entry, in_savings.id).paid_on == date(2026, 4, 12)  # the file's paid-on day
    assert db.session.get(Entry, in_checking.id).paid_on is None
    undo_batch(db.session, batch, user)
    db.session.commit()
    assert db.session.get(Entry, in_savings.id).paid_on is None
