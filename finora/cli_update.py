"""`flask finora update check|apply`: the /about page's check and apply, for the shell and cron.

Thin over services/updates (check, apply). Output is English; a refusal or an error is one
line ("Error: ...") with exit code 1, and so is an apply that ended rolled back or failed,
so a script can tell. The apply is audited as the command line (no user)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from finora.cli_commands import EnglishCommand
from finora.extensions import db

update_cli = AppGroup("update", help="Updates: check for a new release, apply it.")
update_cli.command_class = EnglishCommand


def _status_lines(status) -> list[str]:
    lines = [f"Installed: {status.installed} (channel {status.channel})"]
    check = status.last_check
    if check is None:
        lines.append("Last check: never")
    else:
        source = "release server" if check.source == "remote" else "bundled manifest"
        reason = " ".join(f"{check.error_message or ''} {check.error_detail or ''}".split())
        outcome = "ok" if check.ok else f"failed: {reason}"
        lines.append(f"Last check: {check.checked_at:%Y-%m-%d %H:%M} UTC from the {source}, {outcome}")
    lines.append(f"Latest: {status.latest.version if status.latest else 'none known'}")
    if status.available is None:
        lines.append("Up to date.")
    else:
        lines.append(f"Update available: {status.available.version}")
        for release in status.newer_releases:
            notes = " ".join(release.notes_for("en").split())
            lines.append(f"  {release.version}: {notes}" if notes else f"  {release.version}")
        if status.in_container:
            lines.append("This is a container: run `docker compose pull && docker compose up -d`.")
        elif not status.can_apply:
            lines.append("This release has no package to apply.")
        else:
            lines.append("Apply it with `flask finora update apply`.")
    return lines


@update_cli.command("check")
def check_command() -> None:
    """Check for updates now (the remote manifest when UPDATE_MANIFEST_URL is set, else the
    bundled one) and print the status. Exit code 1 when the check failed."""
    from finora.services.updates.check import check_for_updates, update_status

    record = check_for_updates(db.session)
    db.session.commit()
    for line in _status_lines(update_status(db.session)):
        click.echo(line)
    if not record.ok:
        raise SystemExit(1)


@update_cli.command("apply")
@click.option("--version", "wanted", metavar="X.Y.Z",
              help="The release to apply (default: the newest on this channel).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def apply_command(wanted: str | None, yes: bool) -> None:
    """Back up the instance, then download, verify, install and migrate a release; on any
    failure put the files and the database back. Exit code 1 unless it was applied."""
    from finora.services.updates.apply import apply_update
    from finora.services.updates.check import find_release, update_status

    status = update_status(db.session)
    if wanted:
        release = find_release(db.session, wanted)
    elif status.available is None:
        click.echo(f"Nothing to apply: Finora {status.installed} is the newest known on the "
                   f"{status.channel} channel (run `flask finora update check` first).")
        return
    else:
        release = status.available
    if not yes:
        click.confirm(
            f"Apply Finora {release.version} over {status.installed}? The instance is backed up "
            "first, and a failed step puts files and database back.", abort=True,
        )
    report = apply_update(db.session, release=release, user=None)
    db.session.commit()
    for step in report.steps:
        mark = "ok" if step.ok else "FAILED"
        detail = " ".join(str(step.detail).split())
        click.echo(f"[{mark}] {step.name}" + (f": {detail}" if detail else ""))
    if report.backup_id:
        click.echo(f"Pre-update backup: instance backup #{report.backup_id}.")
    if report.status != "applied":
        raise click.ClickException(_OUTCOMES.get(report.status, f"The update ended {report.status}."))
    click.echo(f"Applied Finora {report.version} (was {report.from_version}).")
    if report.restart == "graceful":
        click.echo("gunicorn was asked to reload gracefully.")
    else:
        click.echo("Restart the Finora server now so the new version runs "
                   f"(code in {current_app.config['CODE_DIR']}).")


_OUTCOMES = {
    "rolled_back": "The update failed and was rolled back: files and database are as before.",
    "refused": "The package was refused before anything was installed: nothing changed.",
    "failed": "The update failed and the rollback failed too: restore the pre-update backup "
              "(flask finora backup restore-instance) before restarting.",
}
