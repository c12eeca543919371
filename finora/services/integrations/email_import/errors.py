"""What went wrong reading a mailbox: a code stored on the configuration (and returned by
a preview), translated when shown. A detail kept beside it never holds the password."""

from __future__ import annotations

from finora.translation import lazy_gettext as _l

ERROR_MESSAGES = {
    "connect_failed": _l("Could not reach the mail server. Check the host and the port."),
    "timeout": _l("The mail server did not answer in time."),
    "tls_failed": _l(
        "Could not set up a secure connection with the mail server (check the security "
        "choice and the port; the server's certificate must be valid)."
    ),
    "auth_failed": _l("The mail server refused the user name or the password."),
    "folder_missing": _l("The folder was not found in this mailbox."),
    "server_error": _l("The mail server answered something unexpected."),
    "secret_unreadable": _l("The stored password can no longer be read. Enter the password again."),
    "no_message": _l("No message from the allowed sender with this subject in the last 24 hours."),
    "no_delimiters": _l("The newest matching message does not contain the start and end texts."),
    "no_amount": _l("There is no amount between the start and end texts."),
    "account_archived": _l("The account is archived: choose another account or restore it."),
    "before_opening": _l("The message is dated before the account's opening date."),
    "internal": _l("The import failed unexpectedly; the administrator can see the details in the log."),
}


class MailboxError(Exception):
    """Reading the mailbox failed: `code` is a key of ERROR_MESSAGES, `detail` is safe to
    store and show (never the password)."""

    def __init__(self, code: str, detail: str | None = None) -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


def safe_detail(text: object, *secrets: str, limit: int = 255) -> str | None:
    """A detail to keep: as text, any secret masked, at most `limit` characters."""
    if text is None:
        return None
    if isinstance(text, BaseException) and len(text.args) == 1 and isinstance(
            text.args[0], bytes | list | tuple):
        text = text.args[0]  # imaplib raises with the server's line as bytes
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    elif isinstance(text, list | tuple):
        text = " ".join(
            part.decode("utf-8", errors="replace") if isinstance(part, bytes) else str(part)
            for part in text
        )
    detail = " ".join(str(text).split())
    for secret in secrets:
        if secret:
            detail = detail.replace(secret, "•••")
    return detail[:limit] or None
