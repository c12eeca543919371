"""A bank e-mail as text: plain and HTML parts (HTML made text, scripts and styles left
out), charsets, the text between the delimiters and the excerpt around it."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from finora.services.integrations.email_import.message_text import (
    EXCERPT_MAX,
    find_between,
    html_to_text,
    message_texts,
    opening_excerpt,
)


def _parsed(message: EmailMessage) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(message.as_bytes())


def test_a_plain_message_reads_as_its_text_with_white_space_normalised():
    message = EmailMessage()
    message.set_content("Olá,\n\nSeu saldo disponível é\n   R$ 1.234,56.\n\nBanco")
    assert message_texts(_parsed(message)) == ["Olá, Seu saldo disponível é R$ 1.234,56. Banco"]


def test_html_reads_as_text_without_scripts_styles_or_tags():
    html = ("<html><head><title>x</title><style>td{color:red}</style></head><body>"
            "<script>var saldo = 'R$ 9,99';</script><table><tr><td>Saldo</td>"
            "<td>R&#36;&nbsp;1.234,56</td></tr></table><p>Obrigado&amp;até</p></body></html>")
    text = " ".join(html_to_text(html).split())
    assert text == "Saldo R$ 1.234,56 Obrigado&até"


def test_plain_comes_before_html_and_attachments_are_skipped():
    message = EmailMessage()
    message.set_content("Saldo: R$ 10,00 fim")
    message.add_alternative("<p>Saldo: <b>R$ 20,00</b> fim</p>", subtype="html")
    message.add_attachment(b"Saldo: R$ 30,00 fim", maintype="text", subtype="plain",
                           filename="extrato.txt")
    assert message_texts(_parsed(message)) == ["Saldo: R$ 10,00 fim", "Saldo: R$ 20,00 fim"]


def test_a_latin_1_quoted_printable_body_is_decoded():
    raw = ("From: a@b.example\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=iso-8859-1\r\n"
           "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
           "Saldo dispon=EDvel: R$ 5,00\r\n").encode("ascii")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert message_texts(message) == ["Saldo disponível: R$ 5,00"]


def test_an_unknown_charset_is_read_as_utf_8_with_replacements():
    raw = ("From: a@b.example\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=x-no-such-charset\r\n\r\n"
           "Saldo: R$ 5,00\r\n").encode("ascii")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert message_texts(message) == ["Saldo: R$ 5,00"]


def test_the_text_between_the_delimiters_ignores_case_and_line_breaks():
    found = find_between(["Seu SALDO disponível é R$ 1.234,56 em conta corrente."],
                         "saldo   disponível é", "em conta")
    assert found is not None
    assert found.text == "R$ 1.234,56"
    assert "SALDO disponível é R$ 1.234,56 em conta" in found.excerpt


def test_the_first_body_with_both_delimiters_is_used():
    found = find_between(["Saldo: R$ 1,00 sem o final", "Saldo: R$ 2,00 fim"], "Saldo:", "fim")
    assert found is not None and found.text == "R$ 2,00"


def test_the_end_delimiter_counts_only_after_the_start():
    found = find_between(["fim antes. Saldo: R$ 3,00 fim"], "Saldo:", "fim")
    assert found is not None and found.text == "R$ 3,00"


def test_an_end_text_that_could_be_inside_the_amount_is_looked_for_after_it():
    found = find_between(["Saldo: R$ 1.234,56. Obrigado."], "Saldo:", ".")
    assert found is not None and found.text == "R$ 1.234,56"
    found = find_between(["Saldo: (1,234.56), atualizado"], "Saldo:", ",")
    assert found is not None and found.text == "(1,234.56)"


def test_missing_or_empty_delimiters_find_nothing():
    assert find_between(["Saldo: R$ 3,00"], "Saldo:", "fim") is None
    assert find_between(["Saldo: R$ 3,00 fim"], "Total:", "fim") is None
    assert find_between(["Saldo: R$ 3,00 fim"], "", "fim") is None
    assert find_between(["Saldo: R$ 3,00 fim"], "Saldo:", "   ") is None


def test_the_excerpt_is_short_even_around_a_long_text():
    long_text = "Saldo: " + "x" * 1000 + " fim"
    found = find_between(["intro " * 50 + long_text], "Saldo:", "fim")
    assert found is not None and len(found.excerpt) <= EXCERPT_MAX
    assert len(opening_excerpt([long_text])) <= EXCERPT_MAX
    assert opening_excerpt([]) == ""
