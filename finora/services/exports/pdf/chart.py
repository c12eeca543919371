"""Horizontal bars drawn with reportlab.graphics: one bar per label, the label in the fonts
that have its glyphs (emoji included) and the amount at the end of the bar."""

from __future__ import annotations

from decimal import Decimal

from finora.services.exports.pdf.fonts import TEXT, font_runs

BAR_COLOUR = "#c0504d"
LABEL_SIZE = 8
ROW_HEIGHT = 15
MAX_BARS = 12


def _fit(text: str, width: float) -> list[tuple[str, str]]:
    """The label's font runs, shortened with an ellipsis to `width` points."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    runs, used = [], 0.0
    ellipsis = stringWidth("…", TEXT, LABEL_SIZE)
    for font, chars in font_runs(text):
        size = stringWidth(chars, font, LABEL_SIZE)
        if used + size <= width:
            runs.append((font, chars))
            used += size
            continue
        kept = ""
        for char in chars:
            step = stringWidth(char, font, LABEL_SIZE)
            if used + step + ellipsis > width:
                break
            kept += char
            used += step
        if kept:
            runs.append((font, kept))
        runs.append((TEXT, "…"))
        break
    return runs


def bar_chart(items: list[tuple[str, Decimal, str]], width: float):
    """A Drawing of (label, amount, amount text) bars in the given order, scaled to the
    largest amount."""
    from reportlab.graphics.shapes import Drawing, Line, Rect, String
    from reportlab.lib.colors import HexColor
    from reportlab.pdfbase.pdfmetrics import stringWidth

    label_width = width * 0.32
    value_room = 70
    bar_room = width - label_width - value_room - 8
    height = ROW_HEIGHT * len(items) + 6
    drawing = Drawing(width, height)
    largest = max((amount for _label, amount, _text in items), default=Decimal(0)) or Decimal(1)
    x0 = label_width + 6
    drawing.add(Line(x0, 0, x0, height, strokeColor=HexColor("#8a9099"), strokeWidth=0.5))
    for index, (label, amount, text) in enumerate(items):
        y = height - (index + 1) * ROW_HEIGHT
        runs = _fit(label, label_width)
        total = sum(stringWidth(chars, font, LABEL_SIZE) for font, chars in runs)
        x = label_width - total
        for font, chars in runs:
            drawing.add(String(x, y + 4, chars, fontName=font, fontSize=LABEL_SIZE))
            x += stringWidth(chars, font, LABEL_SIZE)
        length = float(amount / largest) * bar_room if amount > 0 else 0
        drawing.add(Rect(x0, y + 2, max(length, 0.5), ROW_HEIGHT - 5, fillColor=HexColor(BAR_COLOUR), strokeColor=None))
        drawing.add(String(x0 + length + 4, y + 4, text, fontName=TEXT, fontSize=LABEL_SIZE))
    return drawing


def top_items(items: list[tuple[str, Decimal]], *, other_label: str) -> list[tuple[str, Decimal]]:
    """The largest MAX_BARS - 1 items and the rest summed as `other_label` (all of them
    when they fit)."""
    ordered = sorted(items, key=lambda item: item[1], reverse=True)
    if len(ordered) <= MAX_BARS:
        return ordered
    head, tail = ordered[: MAX_BARS - 1], ordered[MAX_BARS - 1 :]
    return [*head, (other_label, sum((amount for _label, amount in tail), Decimal(0)))]


def daily_chart(days, width: float, money) -> object:
    """Expenses per day as bars and their running total as a line (scaled to its own
    maximum, written at the right), days numbered every five. `days` carries .day,
    .expense and .cumulative; `money` formats an amount."""
    from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
    from reportlab.lib.colors import HexColor

    height, bottom, top_room, side = 130.0, 14.0, 12.0, 70.0
    plot_width, plot_height = width - 2 * side, height - bottom - top_room
    drawing = Drawing(width, height)
    if not days:
        return drawing
    peak_day = max((d.expense for d in days), default=Decimal(0)) or Decimal(1)
    peak_total = days[-1].cumulative or Decimal(1)
    step = plot_width / len(days)
    grey = HexColor("#8a9099")
    drawing.add(Line(side, bottom, side + plot_width, bottom, strokeColor=grey, strokeWidth=0.5))
    points = []
    for index, day in enumerate(days):
        x = side + index * step
        if day.expense > 0:
            bar = float(day.expense / peak_day) * plot_height
            drawing.add(Rect(x + step * 0.15, bottom, step * 0.7, bar, fillColor=HexColor(BAR_COLOUR), strokeColor=None))
        points += [x + step / 2, bottom + float(day.cumulative / peak_total) * plot_height]
        if index == 0 or (index + 1) % 5 == 0:
            drawing.add(String(x + step / 2, 3, str(day.day.day), fontName=TEXT, fontSize=7, textAnchor="middle"))
    drawing.add(PolyLine(points, strokeColor=HexColor("#1f4e79"), strokeWidth=1.2))
    drawing.add(String(side - 4, bottom + plot_height - 3, money(peak_day), fontName=TEXT, fontSize=7,
                       textAnchor="end", fillColor=HexColor(BAR_COLOUR)))
    drawing.add(String(side + plot_width + 4, bottom + plot_height - 3, money(peak_total), fontName=TEXT, fontSize=7,
                       fillColor=HexColor("#1f4e79")))
    return drawing
