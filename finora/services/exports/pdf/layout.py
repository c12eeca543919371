"""The page every Finora PDF shares: A4, the fonts, a running title on every page, "Page X
of Y" footers (a canvas that holds each page until it knows how many there are), and the
small blocks the documents are made of (title lines, totals, tables)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from finora.money import format_money
from finora.services.exports.pdf.fonts import (
    BOLD,
    TEXT,
    font_runs,
    is_plain,
    marked_up,
    register_fonts,
)
from finora.translation import gettext as _

MARGIN_MM = 16
GREY = "#5f6670"
RULE = "#c9ced6"
HEADER_FILL = "#e9edf2"
NEGATIVE = "#a4262c"
POSITIVE = "#1b6e3a"
_DATE_FORMATS = {"en": "%m/%d/%Y"}


def short_date(day: date, locale: str) -> str:
    """The locale's numeric date, four-digit year: 31/12/2026 (pt, es), 12/31/2026 (en)."""
    return day.strftime(_DATE_FORMATS.get(locale.split("_")[0], "%d/%m/%Y"))


def generated_line(household, generated_at: datetime, locale: str) -> str:
    """"Generated on …" in the household's time zone, naming the zone."""
    zone = ZoneInfo(household.timezone)
    when = format_datetime(generated_at.astimezone(zone), "short", tzinfo=zone, locale=locale)
    return _("Generated on %(when)s (%(zone)s)", when=when, zone=household.timezone)


@lru_cache(maxsize=1)
def styles() -> dict:
    """The paragraph styles, built once (reportlab is imported only when a PDF is made)."""
    from reportlab.lib.colors import HexColor
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    body = ParagraphStyle("finora-body", fontName=TEXT, fontSize=8.5, leading=10.5)
    return {
        "title": ParagraphStyle("finora-title", parent=body, fontName=BOLD, fontSize=16, leading=20),
        "subtitle": ParagraphStyle("finora-subtitle", parent=body, fontSize=10.5, leading=14),
        "meta": ParagraphStyle("finora-meta", parent=body, textColor=HexColor(GREY), spaceAfter=8),
        "heading": ParagraphStyle(
            "finora-heading", parent=body, fontName=BOLD, fontSize=11.5, leading=15, spaceBefore=10, spaceAfter=4
        ),
        "body": body,
        "bold": ParagraphStyle("finora-bold", parent=body, fontName=BOLD),
        "small": ParagraphStyle("finora-small", parent=body, fontSize=6, leading=7.5),
        "right": ParagraphStyle("finora-right", parent=body, alignment=TA_RIGHT),
        # A numeric column's header that may wrap: small, bold, right-aligned over its figures.
        "head_right": ParagraphStyle("finora-head-right", parent=body, fontName=BOLD, fontSize=7, leading=8.5,
                                     alignment=TA_RIGHT),
        "empty": ParagraphStyle("finora-empty", parent=body, fontSize=10.5, leading=14, textColor=HexColor(GREY)),
    }


def para(text: str, style: str = "body"):
    from reportlab.platypus import Paragraph

    return Paragraph(marked_up(text), styles()[style])


def cell(text: str, style: str = "body", fits: int = 0):
    """A table cell: the plain string when the text font draws all of it (and, with `fits`,
    it is short enough not to need wrapping), a wrapping Paragraph in the right fonts
    otherwise. Plain strings are several times cheaper to lay out."""
    if is_plain(text) and (not fits or len(text) <= fits):
        return text
    return para(text, style)


def money(amount, household, locale: str) -> str:
    return format_money(amount, household.currency, locale)


def table(data: list[list], widths: list[float], *, numeric_from: int, header_rows: int = 1, extra=()):
    """A ruled table with a shaded header that repeats on every page; columns from
    `numeric_from` on are right-aligned."""
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Table, TableStyle

    commands = [
        ("FONT", (0, 0), (-1, -1), TEXT, 8.5, 10.5),
        ("FONT", (0, 0), (-1, header_rows - 1), BOLD, 8.5, 10.5),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), HexColor(HEADER_FILL)),
        ("LINEBELOW", (0, header_rows - 1), (-1, -1), 0.25, HexColor(RULE)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        *extra,
    ]
    return Table(data, colWidths=widths, repeatRows=header_rows, style=TableStyle(commands), hAlign="LEFT")


# A table row of plain 8.5 pt text: its leading plus the top and bottom padding.
PLAIN_ROW = 10.5 + 2 + 2


def row_height(row: list, widths: list[float]) -> float:
    """The height `table` gives a row: a plain row's, or its tallest wrapped Paragraph's."""
    height = PLAIN_ROW
    for value, width in zip(row, widths, strict=True):
        if not isinstance(value, str):
            height = max(height, value.wrap(width - 6, 10_000)[1] + 4)
    return height


def paged_tables(header: list, rows: list[list], widths: list[float], *, numeric_from: int,
                 first_room: float) -> list:
    """A long table cut into one table per page, each with the header, pages broken between
    them. reportlab measures every remaining row of a table again at each page break (and
    finds each unmeasured row by a scan from the top), quadratic in the rows: 1,000 entries
    take 0.2 s as one table, 10,000 take 10 s. Cut here, 10,000 take about 2 s.
    `first_room`: the height left on the first page for the first table."""
    from reportlab.platypus import PageBreak

    room_per_page = frame_height() - 2  # a point or two spare against rounding
    flowables: list = []
    chunk: list[list] = []
    room, used = first_room - 2, PLAIN_ROW
    for row in rows:
        height = row_height(row, widths)
        if chunk and used + height > room:
            flowables += [table([header, *chunk], widths, numeric_from=numeric_from), PageBreak()]
            chunk, room, used = [], room_per_page, PLAIN_ROW
        chunk.append(row)
        used += height
    if chunk:
        flowables.append(table([header, *chunk], widths, numeric_from=numeric_from))
    return flowables


def totals_table(household, totals, locale: str, width: float):
    """Income, expenses and net side by side, in the household's currency."""
    from reportlab.lib.colors import HexColor

    net_colour = NEGATIVE if totals.net < 0 else POSITIVE
    data = [
        [_("Income"), _("Expenses"), _("Net")],
        [
            money(totals.income, household, locale),
            money(totals.expense, household, locale),
            money(totals.net, household, locale),
        ],
    ]
    extra = [
        ("FONT", (0, 1), (-1, 1), BOLD, 12, 15),
        ("ALIGN", (0, 0), (-1, -1), "LEFT"),
        ("TEXTCOLOR", (2, 1), (2, 1), HexColor(net_colour)),
        ("TOPPADDING", (0, 1), (-1, 1), 4),
        ("BOTTOMPADDING", (0, 1), (-1, 1), 6),
    ]
    return table(data, [width / 3] * 3, numeric_from=3, extra=extra)


def title_block(household, title: str, period_label: str, generated_at: datetime, locale: str) -> list:
    return [
        para(household.name, "title"),
        para(f"{title} · {period_label}", "subtitle"),
        para(generated_line(household, generated_at, locale), "meta"),
    ]


def draw_runs(canvas, x: float, y: float, text: str, size: float) -> None:
    """A line of text on a canvas, each run in the font that has its glyphs."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for font, chars in font_runs(text):
        canvas.setFont(font, size)
        canvas.drawString(x, y, chars)
        x += stringWidth(chars, font, size)


@lru_cache(maxsize=1)
def _numbered_canvas():
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        """Holds every page's drawing until save(), when the page count is known."""

        footer: Callable[[int, int], str] = staticmethod(lambda page, pages: "")
        running_title = ""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._held: list[dict] = []

        def showPage(self):
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            pages = len(self._held)
            for state in self._held:
                self.__dict__.update(state)
                self._decorate(pages)
                super().showPage()
            super().save()

        def _decorate(self, pages: int) -> None:
            from reportlab.lib.colors import HexColor
            from reportlab.lib.units import mm

            width, height = self._pagesize
            self.saveState()
            self.setFillColor(HexColor(GREY))
            self.setFont(TEXT, 7.5)
            if self._pageNumber > 1:
                draw_runs(self, MARGIN_MM * mm, height - 10 * mm, self.running_title, 7.5)
            self.drawRightString(width - MARGIN_MM * mm, 9 * mm, self.footer(self._pageNumber, pages))
            self.restoreState()

    return NumberedCanvas


def build(story: list, *, title: str, running_title: str) -> bytes:
    """The story laid out on A4 in memory; every page gets "Page X of Y" and, from the
    second on, the running title."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    register_fonts()
    page_label = _("Page %(page)s of %(pages)s")
    base = _numbered_canvas()
    canvas_class = type(
        "FinoraPageCanvas",
        (base,),
        {
            "footer": staticmethod(lambda page, pages: page_label % {"page": page, "pages": pages}),
            "running_title": running_title,
        },
    )
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_MM * mm,
        rightMargin=MARGIN_MM * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        creator="Finora",
    )
    document.build(story, canvasmaker=canvas_class)
    return buffer.getvalue()


def frame_height() -> float:
    """The height a page's frame holds (A4 less the margins and the frame's own padding)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    return A4[1] - (15 + 15) * mm - 12


def content_width() -> float:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    return A4[0] - 2 * MARGIN_MM * mm
