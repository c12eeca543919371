"""Signed, guided updates of the application (docs/updates.md).

signing (the release key and Ed25519 checks), release (what a manifest says about a
release), errors; the check (manifest, fetch, status) and the apply (package, staging,
install with its rollback, migration) build on them. Not here: the /about page and the CLI
(finora/web/updates, finora/cli_update.py), the pre-update backup itself (backups/).
"""
