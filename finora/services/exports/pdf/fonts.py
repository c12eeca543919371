"""The PDFs' own fonts (vendored under finora/data/fonts/) and the per-character choice
between them: reportlab has no font fallback, so a name holding accents, €, ₹ and emoji is
split into runs, each drawn in the first font that has its glyphs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parents[3] / "data" / "fonts"
TEXT = "FinoraSans"
BOLD = "FinoraSans-Bold"
EMOJI = "FinoraEmoji"
_FILES = {
    TEXT: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    EMOJI: "NotoEmoji-Regular.ttf",
}
# Invisible joiners and presentation selectors: kept with the run they follow when its
# font maps them, dropped otherwise (they would draw as a box).
_JOINERS = frozenset({0x200D, 0xFE0E, 0xFE0F})
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


@dataclass(frozen=True)
class Coverage:
    """The code points each font maps (read once from the TTF cmaps)."""

    text: frozenset[int]
    emoji: frozenset[int]


@lru_cache(maxsize=1)
def register_fonts() -> Coverage:
    """Register the fonts with reportlab once per process; returns what each covers."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    _fix_to_unicode_maps()
    faces = {}
    for name, filename in _FILES.items():
        font = TTFont(name, str(FONT_DIR / filename))
        pdfmetrics.registerFont(font)
        faces[name] = font
    # <b> inside a Paragraph in the text font picks the bold file.
    for bold, italic, name in ((0, 0, TEXT), (1, 0, BOLD), (0, 1, TEXT), (1, 1, BOLD)):
        addMapping(TEXT, bold, italic, name)
    for bold, italic in ((0, 0), (1, 0), (0, 1), (1, 1)):
        addMapping(EMOJI, bold, italic, EMOJI)
    return Coverage(
        text=frozenset(faces[TEXT].face.charToGlyph),
        emoji=frozenset(faces[EMOJI].face.charToGlyph),
    )


def _fix_to_unicode_maps() -> None:
    """reportlab 5.1 writes a character past U+FFFF in a font's ToUnicode map as five hex
    digits (<1F600>), which PDF readers reject, so emoji copied or extracted from the PDF
    come out empty. The map must hold UTF-16BE (a surrogate pair: <D83DDE00>). reportlab
    looks the map writer up in its module at each font embedding: swap in one that writes
    UTF-16 (the same bytes for every character up to U+FFFF)."""
    from reportlab.pdfbase import ttfonts

    if getattr(ttfonts.makeToUnicodeCMap, "finora_utf16", False):
        return
    original = ttfonts.makeToUnicodeCMap

    def make_to_unicode_cmap(fontname, subset):
        text = original(fontname, [0] * len(subset))
        head, _, tail = text.partition("beginbfchar\n")
        _, _, tail = tail.partition("endbfchar")
        pairs = "\n".join(f"<{i:02X}> <{chr(code).encode('utf-16-be').hex().upper()}>" for i, code in enumerate(subset))
        return f"{head}beginbfchar\n{pairs}\nendbfchar{tail}"

    make_to_unicode_cmap.finora_utf16 = True  # type: ignore[attr-defined]  # a marker: patched once
    ttfonts.makeToUnicodeCMap = make_to_unicode_cmap


def _prefers_emoji(code: int) -> bool:
    """Pictographs look like emoji only in the emoji font, even where DejaVu has a glyph."""
    return code >= 0x1F000 or 0x2600 <= code <= 0x27BF or 0x2B00 <= code <= 0x2BFF


def _font_for(code: int, coverage: Coverage) -> str | None:
    if _prefers_emoji(code) and code in coverage.emoji:
        return EMOJI
    if code in coverage.text:
        return TEXT
    if code in coverage.emoji:
        return EMOJI
    return None


def font_runs(text: str) -> list[tuple[str, str]]:
    """The text as (font name, characters) runs; a character no font has stays in the text
    font (drawn as its missing-glyph box: no shipped font can draw it)."""
    coverage = register_fonts()
    runs: list[tuple[str, str]] = []
    current, chars = TEXT, []
    for char in text:
        code = ord(char)
        if code in _JOINERS:
            if code in (coverage.emoji if current == EMOJI else coverage.text):
                chars.append(char)
            continue
        font = _font_for(code, coverage) or TEXT
        if font != current and chars:
            runs.append((current, "".join(chars)))
            chars = []
        current = font
        chars.append(char)
    if chars:
        runs.append((current, "".join(chars)))
    return runs


@lru_cache(maxsize=1)
def _plain_chars() -> frozenset[str]:
    return frozenset(chr(code) for code in register_fonts().text if not _prefers_emoji(code))


def is_plain(text: str) -> bool:
    """True when the text font alone draws every character (a plain string will do)."""
    return _plain_chars().issuperset(text)


def marked_up(text: str) -> str:
    """Paragraph markup for `text`: XML escaped, every run in a font that has its glyphs."""
    parts = []
    for font, chars in font_runs(text):
        escaped = chars.translate(_ESCAPES)
        parts.append(escaped if font == TEXT else f'<font name="{font}">{escaped}</font>')
    return "".join(parts)
