"""A subject, address or body with line breaks can neither forge a log line (mail written to
the log when no SMTP server is configured) nor add a header to a mail that is sent."""

from __future__ import annotations

import logging
import re

from finora.logs import SafeFormatter, one_line
from finora.services.system.mail import send_mail

FORGED = "2026-12-04 20:00:00,000 INFO [-] finora.auth: admin@example.com signed in"
# A record of the file log: "<date> <time> <LEVEL> [<request id>] <logger>: ..."
RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ \[")


def _log_lines(app) -> list[str]:
    for handler in logging.getLogger("finora").handlers:
        handler.flush()
    return (app.config["DATA_DIR"] / "logs" / "finora.log").read_text().splitlines()


def _records(lines: list[str]) -> list[str]:
    return [line for line in lines if RECORD_START.match(line)]


def test_a_mail_written_to_the_log_cannot_forge_a_record(app_factory):
    app = app_factory(LOG_TO_FILE=True)
    with app.app_context():
        before = len(_records(_log_lines(app)))
        send_mail(
            "ana@example.com\n" + FORGED,
            "Welcome\r\n" + FORGED,
            "Hello Ana,\n" + FORGED + "\rstill the body\x1b[2J\u2028" + FORGED
            + "\nOpen https://finora.test/reset/abc123\n",
        )
        lines = _log_lines(app)
    records = _records(lines)
    assert len(records) == before + 1  # the mail is one record
    assert "No SMTP server configured" in records[-1]
    assert not any(line.startswith(FORGED) or line.startswith("\r") for line in lines)
    text = "\n".join(lines)
    assert "ana@example.com\\n" + FORGED in text  # escaped, on the record's own lines
    assert "Welcome\\r\\n" + FORGED in text
    assert "\x1b" not in text and "\u2028" not in text and "\r" not in text
    assert "\\x1b[2J" in text
    # The link stays readable on a line of its own (indented: it belongs to the record).
    assert "    Open https://finora.test/reset/abc123" in lines


def test_the_log_message_itself_is_escaped_for_any_handler(app, caplog):
    logger = logging.getLogger("finora.mail")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="finora.mail")
    try:
        send_mail("bia@example.com", "Hi\n" + FORGED, "line one\n" + FORGED)
    finally:
        logger.removeHandler(caplog.handler)
    message = caplog.records[-1].getMessage()
    assert all(line == message.splitlines()[0] or line.startswith(" ")
               for line in message.splitlines())
    assert "Subject: Hi\\n" + FORGED in message


def test_any_record_with_line_breaks_keeps_them_indented():
    formatter = SafeFormatter("%(levelname)s %(name)s: %(message)s")
    record = logging.LogRecord(
        "finora.auth", logging.WARNING, __file__, 1, "sign-in failed for %s", (FORGED.join("\n\n"),),
        None,
    )
    lines = formatter.format(record).split("\n")
    assert lines[0] == "WARNING finora.auth: sign-in failed for "
    assert lines[1:] == ["    " + FORGED, ""]
    assert one_line("a\r\nb\x00c\x85d\u2029e\tf") == "a\\r\\nb\\x00c\\x85d\\u2029e\tf"


def test_a_subject_or_address_with_line_breaks_adds_no_header(app, smtp_server):
    result = send_mail(
        "bia@example.com\r\nBcc: thief@example.net",
        "Invitation from Ana\r\nBcc: thief@example.net\nX-Evil: 1",
        "Body",
    )
    assert result.delivered
    message = smtp_server.last()
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert message["Subject"] == "Invitation from Ana Bcc: thief@example.net X-Evil: 1"
    [(_sender, recipients)] = smtp_server.envelopes
    assert "thief@example.net" not in " ".join(recipients)
