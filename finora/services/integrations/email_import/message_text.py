"""What a bank e-mail says, as text: its text/plain and text/html parts (HTML made
text), the text between the two delimiters, and a short excerpt around it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage, Message
from html.parser import HTMLParser
from typing import cast

_WHITESPACE = re.compile(r"[\s\u00a0\u202f\u200b]+")
# Tags after which HTML text reads as a new line (or a cell as a space): "Saldo</td><td>
# R$ 10,00" must not become "SaldoR$ 10,00".
_BLOCKS = {"address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "footer",
           "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre",
           "section", "table", "tbody", "td", "th", "thead", "tr", "ul"}
_SKIPPED = {"head", "script", "style", "template", "title"}
# The amount right after the start text (a currency, a sign or a parenthesis before it):
# the end text is looked for after it, so an end text of "." or "," cannot cut
# "R$ 1.234,56." short at "R$ 1".
_LEADING_NUMBER = re.compile(r"\D{0,15}?\d+(?:[.,'’]\d+)*")
EXCERPT_CONTEXT = 40  # characters shown either side of the text between the delimiters
EXCERPT_MAX = 240


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def normalise(text: str) -> str:
    """Every run of white space (line breaks, no-break spaces) as one space."""
    return _WHITESPACE.sub(" ", text).strip()


def _decoded(part: Message) -> str:
    try:
        content = part.get_content() if isinstance(part, EmailMessage) else None
    except (LookupError, UnicodeError, ValueError):
        content = None
    if isinstance(content, str):
        return content
    payload = cast(bytes, part.get_payload(decode=True) or b"")  # decode=True: bytes or None
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return payload.decode("utf-8", errors="replace")


def message_texts(message: Message) -> list[str]:
    """The message's readable bodies, plain text first, then HTML as text (attachments
    skipped), each with its white space normalised."""
    plain, html = [], []
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain":
            plain.append(normalise(_decoded(part)))
        elif kind == "text/html":
            html.append(normalise(html_to_text(_decoded(part))))
    return [text for text in plain + html if text]


@dataclass(frozen=True)
class Between:
    text: str  # what lies between the delimiters
    excerpt: str  # the delimiters and what lies between, with a little context


def find_between(texts: list[str], start: str, end: str) -> Between | None:
    """The text between the first `start` and the next `end` after it (case and white
    space ignored; the end after the amount that follows the start, if one does), in the
    first body that has both; None when none has."""
    start_pattern = _delimiter(start)
    end_pattern = _delimiter(end)
    if start_pattern is None or end_pattern is None:
        return None
    for text in texts:
        opening = start_pattern.search(text)
        if opening is None:
            continue
        number = _LEADING_NUMBER.match(text, opening.end())
        closing = end_pattern.search(text, number.end() if number else opening.end())
        if closing is None:
            continue
        low = max(0, opening.start() - EXCERPT_CONTEXT)
        high = min(len(text), closing.end() + EXCERPT_CONTEXT)
        excerpt = text[low:high]
        if len(excerpt) > EXCERPT_MAX:
            excerpt = excerpt[:EXCERPT_MAX - 1] + "…"
        return Between(text[opening.end():closing.start()].strip(), excerpt.strip())
    return None


def opening_excerpt(texts: list[str]) -> str:
    """The start of the first body: what a person reads to choose the delimiters."""
    text = texts[0] if texts else ""
    return text if len(text) <= EXCERPT_MAX else text[:EXCERPT_MAX - 1] + "…"


def _delimiter(delimiter: str) -> re.Pattern | None:
    words = normalise(delimiter or "").split(" ")
    if words == [""]:
        return None
    return re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)
