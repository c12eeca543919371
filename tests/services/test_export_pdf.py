"""The entries PDF read back with pypdf: pages, "Page X of Y", the repeated table header,
the household, the totals in each language, accents, €, ₹ and emoji (drawn from a font
that has them, and extracted as the same characters), and an empty period."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel, force_locale
from pypdf import PdfReader

from finora.models import Household
from finora.services.exports.entry_rows import ExportRow
from finora.services.exports.pdf.entries_pdf import entries_pdf
from finora.services.reports.totals import CategoryLine, SubcategoryLine, make_totals
from finora.translation import gettext as _

ROOT = Path(__file__).resolve().parents[2]
UNICODE = "Café Ünïcödé € ₹ 😀🍕"
GENERATED = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)


@pytest.fixture
def babel_app():
    """Just enough Flask for gettext in a language: the PDFs need no database."""
    app = Flask(__name__)
    Babel(app, default_translation_directories=str(ROOT / "translations"))
    with app.app_context():
        yield app


def _household(name="Família Sousa", currency="BRL", timezone="America/Sao_Paulo"):
    return Household(name=name, currency=currency, timezone=timezone)


def _row(n: int, description: str, amount: str, *, category="Alimentação", subcategory="Mercado",
         account="Conta corrente") -> ExportRow:
    day = date(2026, 3, 1) + timedelta(days=n % 31)
    return ExportRow(
        id=n, date=day, description=description, amount=Decimal(amount),
        kind="expense" if Decimal(amount) < 0 else "income", category=category, subcategory=subcategory,
        account=account, payment_method="debit_card", status="paid", paid_on=day, notes="", rule="",
        import_batch="",
    )


def _rows(count: int) -> list[ExportRow]:
    rows = [_row(0, "Salário", "5432.10", category="Salário", subcategory="")]
    rows += [_row(n, f"Padaria São João {n}", "-12.34") for n in range(1, count)]
    rows.insert(7, _row(count, UNICODE, "-100.00", category="Lazer 🎉", subcategory="Cinema", account="Cartão ₹"))
    return rows


def _figures(rows):
    income = sum((r.amount for r in rows if r.amount > 0), Decimal(0))
    expense = -sum((r.amount for r in rows if r.amount < 0), Decimal(0))
    totals = make_totals(income, expense, len(rows))
    food = -sum((r.amount for r in rows if r.category == "Alimentação"), Decimal(0))
    breakdown = [
        CategoryLine("income", 1, "Salário", income, []),
        CategoryLine("expense", 2, "Alimentação", food, [SubcategoryLine(3, "Mercado", food)]),
        CategoryLine("expense", 4, "Lazer 🎉", Decimal("100.00"), [SubcategoryLine(5, "Cinema", Decimal("100.00"))]),
    ]
    return totals, breakdown


def _read(data: bytes) -> tuple[PdfReader, list[str]]:
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    return reader, [page.extract_text().replace("\u00a0", " ").replace("\u202f", " ") for page in reader.pages]


def _base_fonts(page) -> set[str]:
    fonts = page["/Resources"]["/Font"]
    return {str(font.get_object()["/BaseFont"]).split("+", 1)[-1] for font in fonts.values()}


def test_a_long_period_numbers_every_page_and_repeats_the_table_header(babel_app):
    rows = _rows(150)
    totals, breakdown = _figures(rows)
    data = entries_pdf(_household(), "March 2026", rows, totals, breakdown, GENERATED, "en")
    reader, pages = _read(data)

    count = len(reader.pages)
    assert count >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {count}" in text
    for text in pages[2:]:  # pages 3+ hold only entries: the header came back on each
        assert "Date\nDescription\nCategory\nAccount\nAmount" in text
        assert "Família Sousa · March 2026" in text  # the running title
    assert "Família Sousa" in pages[0]
    assert "Entries · March 2026" in pages[0]
    assert "Generated on 3/31/26, 8:30 PM (America/Sao_Paulo)" in pages[0]
    every = "\n".join(pages)
    assert every.count("Padaria São João") == 149
    assert "R$5,432.10" in pages[0] and "R$1,938.66" in pages[0] and "R$3,493.44" in pages[0]
    assert "Alimentação › Mercado" in every
    assert "-R$12.34" in every


def test_unicode_names_come_back_from_the_pdf_and_the_emoji_font_is_embedded(babel_app):
    rows = _rows(20)
    totals, breakdown = _figures(rows)
    household = _household(name="Família Ünïcödé 🏠", currency="INR")
    reader, pages = _read(entries_pdf(household, "Março", rows, totals, breakdown, GENERATED, "en"))

    where = [n for n, text in enumerate(pages) if UNICODE in text]
    assert where, "the description with accents, €, ₹ and emoji did not come back as written"
    page = reader.pages[where[0]]
    assert {"DejaVuSans", "NotoEmoji-Regular"} <= _base_fonts(page)
    assert "Família Ünïcödé 🏠" in pages[0]
    assert "Lazer 🎉" in pages[0]  # the chart's label and the table's
    assert "Cartão ₹" in pages[where[0]]
    assert "₹5,432.10" in pages[0]


@pytest.mark.parametrize(
    ("locale", "currency", "income", "expense", "net", "page_one"),
    [
        ("pt", "BRL", "R$ 1.234,56", "R$ 2.345,67", "-R$ 1.111,11", "Página 1 de 1"),
        ("en", "USD", "$1,234.56", "$2,345.67", "-$1,111.11", "Page 1 of 1"),
        ("es", "EUR", "1.234,56 €", "2.345,67 €", "-1.111,11 €", "Página 1 de 1"),
    ],
)
def test_totals_are_written_to_the_cent_in_the_readers_language(
    babel_app, locale, currency, income, expense, net, page_one
):
    rows = [
        _row(1, "Salário", "1234.56", category="Salário", subcategory=""),
        _row(2, "Aluguel", "-2345.67", category="Moradia", subcategory="Aluguel"),
    ]
    totals = make_totals(Decimal("1234.56"), Decimal("2345.67"), 2)
    breakdown = [
        CategoryLine("income", 1, "Salário", Decimal("1234.56"), []),
        CategoryLine("expense", 2, "Moradia", Decimal("2345.67"), [SubcategoryLine(3, "Aluguel", Decimal("2345.67"))]),
    ]
    with force_locale(locale):
        page_label = _("Page %(page)s of %(pages)s", page=1, pages=1)
        data = entries_pdf(_household(currency=currency), "03/2026", rows, totals, breakdown, GENERATED, locale)
    _reader, pages = _read(data)
    assert f"{income}\n{expense}\n{net}" in pages[0]
    assert page_label == page_one
    assert page_one in pages[0]


def test_an_empty_period_is_one_valid_page_saying_so(babel_app):
    totals = make_totals(Decimal("0.00"), Decimal("0.00"), 0)
    reader, pages = _read(entries_pdf(_household(), "April 2026", [], totals, [], GENERATED, "en"))
    assert len(reader.pages) == 1
    assert "There are no entries in this period." in pages[0]
    assert "Page 1 of 1" in pages[0]
    assert "Família Sousa" in pages[0]
    assert "R$0.00\nR$0.00\nR$0.00" in pages[0]
    assert "Description" not in pages[0]


def test_long_and_marked_up_descriptions_wrap_instead_of_spilling(babel_app):
    long = "Mensalidade da escola & material <escolar> do segundo semestre, parcela 3 de 6"
    rows = [_row(1, long, "-450.00"), _row(2, "Tom & Jerry <3", "-1.00")]
    totals, breakdown = make_totals(Decimal(0), Decimal("451.00"), 2), []
    _reader, pages = _read(entries_pdf(_household(), "March 2026", rows, totals, breakdown, GENERATED, "en"))
    flat = " ".join(pages[0].split())
    assert long in flat
    assert "Tom & Jerry <3" in flat


def test_marked_up_escapes_the_markup_and_gives_each_run_a_font_with_its_glyphs():
    from finora.services.exports.pdf.fonts import EMOJI, marked_up

    assert marked_up("Tom & <Jerry> ₹ 5 🍕🍕 ☕!") == (
        f'Tom &amp; &lt;Jerry&gt; ₹ 5 <font name="{EMOJI}">🍕🍕</font> <font name="{EMOJI}">☕</font>!'
    )
    assert marked_up("Café Ünïcödé €") == "Café Ünïcödé €"


def test_the_shipped_fonts_cover_the_names_and_carry_their_licences():
    from finora.services.exports.pdf.fonts import FONT_DIR, register_fonts

    coverage = register_fonts()
    assert {ord(c) for c in "ÁÉÍÓÚÃÕÇÑÜáéíóúãõçñü€₹£¥"} <= coverage.text
    common_emoji = [0x1F355, 0x1F3E0, 0x1F389, 0x1F437, 0x1F600, 0x1F680, 0x1F9C0, 0x1FA90, 0x2615, 0x2708, 0x2764]
    assert set(common_emoji) <= coverage.emoji
    readme = (FONT_DIR / "README.md").read_text(encoding="utf-8")
    for font, licence in (("DejaVuSans.ttf", "DejaVu-LICENSE.txt"), ("DejaVuSans-Bold.ttf", "DejaVu-LICENSE.txt"),
                          ("NotoEmoji-Regular.ttf", "NotoEmoji-OFL.txt")):
        assert (FONT_DIR / font).is_file() and (FONT_DIR / licence).is_file()
        assert font in readme and licence in readme
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONT_DIR / "NotoEmoji-OFL.txt").read_text(encoding="utf-8")


def test_a_long_table_is_cut_page_by_page_without_losing_or_repeating_an_entry(babel_app):
    from finora.services.exports.pdf.entries_pdf import PAGED_FROM

    count = PAGED_FROM + 150
    rows = [_row(0, "Salário", "5432.10", category="Salário", subcategory="")]
    for n in range(1, count):  # every 7th description wraps onto two or three lines
        text = f"Entry {n:04d}" + (" with a long description that cannot fit on one line" * 2 if n % 7 == 0 else "")
        rows.append(_row(n, text, "-1.00"))
    totals, breakdown = _figures(rows)
    _reader, pages = _read(entries_pdf(_household(), "March 2026", rows, totals, breakdown, GENERATED, "en"))

    found = [int(number) for text in pages for number in re.findall(r"Entry (\d{4})", text)]
    assert found == list(range(1, count))
    entry_pages = [text for text in pages if "Entry 0" in text]
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
    for text in entry_pages:
        assert "Date\nDescription\nCategory\nAccount\nAmount" in text
    for text in entry_pages[:-1]:  # each page full: no table spilled a few rows onto a page of its own
        assert len(re.findall(r"Entry \d{4}", text)) >= 35
