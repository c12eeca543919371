"""Services that talk to the outside world for a household: e-mail balance import over
IMAP (email_import/) and AI insights through an OpenAI-compatible model (ai/)."""
