"""E-mail balance import: configurations, reading a bank's e-mails over IMAP, the amount
between two delimiters, and the scheduler job (docs/email-import.md)."""
