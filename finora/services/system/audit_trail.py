"""Reading the audit trail (a household's, a person's own) and purging it by age.

There is no way to delete single events: only the retention purge removes them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Select, and_, delete, or_, select
from sqlalchemy.orm import Session

from finora.dates import now_utc
from finora.models import AuditEvent
from finora.services.system.settings import audit_retention_days
from finora.translation import lazy_gettext as _l

# Filter groups: the part of the action before the dot, with its label.
ACTION_GROUPS = {
    "auth": _l("Sign-in and sign-out"),
    "password": _l("Password"),
    "totp": _l("Two-factor authentication"),
    "backup_codes": _l("Backup codes"),
    "recovery_key": _l("Recovery key"),
    "passkey": _l("Passkeys"),
    "session": _l("Sessions"),
    "api_token": _l("API tokens"),
    "profile": _l("Profile"),
    "member": _l("Members"),
    "account": _l("Accounts"),
    "entry": _l("Entries"),
    "import": _l("Imports"),
    "backup": _l("Backups"),
    "email_import": _l("E-mail import"),
    "ai": _l("AI insights"),
    "transfer": _l("Transfers"),
    "rule": _l("Recurring rules"),
    "budget": _l("Budgets"),
    "goal": _l("Goals"),
    "category": _l("Categories"),
    "user": _l("User accounts"),
    "settings": _l("Instance settings"),
    "update": _l("Updates"),
}
# The groups a household's trail can hold (security events belong to a person).
HOUSEHOLD_GROUPS = (
    "member", "account", "entry", "import", "backup", "email_import", "ai", "transfer", "rule", "budget",
    "goal", "category",
)

ACTION_LABELS = {
    "auth.signed_in": _l("Signed in"),
    "auth.signed_out": _l("Signed out"),
    "auth.sign_in_failed": _l("Failed sign-in"),
    "auth.locked": _l("Account locked after failed sign-ins"),
    "auth.session_expired": _l("Session ended after inactivity"),
    "password.changed": _l("Password changed"),
    "password.reset_requested": _l("Password reset requested"),
    "password.reset": _l("Password reset"),
    "totp.enabled": _l("Two-factor authentication turned on"),
    "totp.disabled": _l("Two-factor authentication turned off"),
    "backup_codes.regenerated": _l("New backup codes made"),
    "recovery_key.created": _l("Recovery key created"),
    "recovery_key.used": _l("Recovery key used"),
    "passkey.added": _l("Passkey added"),
    "passkey.removed": _l("Passkey removed"),
    "passkey.renamed": _l("Passkey renamed"),
    "session.revoked": _l("Session signed out"),
    "api_token.created": _l("API token created"),
    "api_token.revoked": _l("API token revoked"),
    "profile.updated": _l("Profile details changed"),
    "member.invited": _l("Member invited"),
    "member.joined": _l("Member joined"),
    "member.role_changed": _l("Member's role changed"),
    "member.removed": _l("Member removed"),
    "account.created": _l("Account created"),
    "account.updated": _l("Account changed"),
    "account.deleted": _l("Account deleted"),
    "entry.created": _l("Entry created"),
    "entry.updated": _l("Entry changed"),
    "entry.deleted": _l("Entry deleted"),
    "entry.split": _l("Entry split"),
    "entry.unsplit": _l("Entry unsplit"),
    "import.committed": _l("File imported"),
    "import.undone": _l("Import undone"),
    "backup.created": _l("Backup made"),
    "backup.deleted": _l("Backup deleted"),
    "backup.verified": _l("Backup checked"),
    "backup.downloaded": _l("Backup downloaded"),
    "backup.restored": _l("Backup restored"),
    "backup.refused": _l("Backup file refused"),
    "backup.schedule_saved": _l("Backup schedule changed"),
    "ai.settings_saved": _l("AI settings saved"),
    "ai.key_removed": _l("AI key removed"),
    "email_import.created": _l("E-mail import created"),
    "email_import.updated": _l("E-mail import changed"),
    "email_import.turned_on": _l("E-mail import turned on"),
    "email_import.turned_off": _l("E-mail import turned off"),
    "email_import.deleted": _l("E-mail import deleted"),
    "transfer.created": _l("Transfer created"),
    "transfer.updated": _l("Transfer changed"),
    "transfer.deleted": _l("Transfer deleted"),
    "rule.created": _l("Recurring rule created"),
    "rule.updated": _l("Recurring rule changed"),
    "rule.deleted": _l("Recurring rule deleted"),
    "undo.restored": _l("Change undone (Undo)"),
    "category.deleted": _l("Category deleted"),
    "payee.renamed": _l("Payee renamed"),
    "payee.merged": _l("Payees merged"),
    "tag.renamed": _l("Tag renamed"),
    "tag.merged": _l("Tags merged"),
    "tag.deleted": _l("Tag deleted"),
    "budget.created": _l("Budget created"),
    "budget.updated": _l("Budget changed"),
    "budget.deleted": _l("Budget deleted"),
    "goal.created": _l("Goal created"),
    "goal.updated": _l("Goal changed"),
    "goal.deleted": _l("Goal deleted"),
    "user.approved": _l("Sign-up approved"),
    "user.denied": _l("Sign-up denied"),
    "user.unconfirmed_purged": _l("Unconfirmed sign-up deleted"),
    "user.email_confirmed": _l("E-mail address confirmed"),
    "user.activated": _l("Account activated"),
    "user.deactivated": _l("Account deactivated"),
    "settings.registration_mode_changed": _l("Registration mode changed"),
    "settings.smtp_changed": _l("E-mail (SMTP) settings changed"),
    "settings.audit_retention_changed": _l("Activity retention changed"),
    "update.started": _l("Update started"),
    "update.applied": _l("Update applied"),
    "update.rolled_back": _l("Update rolled back"),
    "update.failed": _l("Update failed"),
    "update.refused": _l("Update refused"),
}


# Membership roles as the trail names them (details "role", "from", "to").
ROLE_LABELS = {"owner": _l("Owner"), "editor": _l("Editor"), "viewer": _l("Viewer")}

# Actions a scheduled job records (no person did them): the job is named as the actor.
ACTION_JOBS = {"user.unconfirmed_purged": "purge_unconfirmed_sign_ups"}


def role_label(role: str) -> str:
    """A role in the reader's language; an unknown one is shown as recorded."""
    label = ROLE_LABELS.get(role)
    return str(label) if label is not None else role


def action_label(action: str) -> str:
    """The action in the reader's language; an unknown one is shown as recorded."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def _in_group(stmt: Select, group: str | None) -> Select:
    if group and group in ACTION_GROUPS:
        # A prefix match on a closed list of groups (no user text reaches LIKE).
        stmt = stmt.where(AuditEvent.action.like(f"{group}.%"))
    return stmt


def household_events(household_id: int, group: str | None = None) -> Select:
    """Everything recorded about one household, newest first."""
    stmt = select(AuditEvent).where(AuditEvent.household_id == household_id)
    return _in_group(stmt, group).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def user_events(user_id: int, group: str | None = None) -> Select:
    """What a person did, and what the admin did to their account, newest first."""
    stmt = select(AuditEvent).where(
        or_(
            AuditEvent.user_id == user_id,
            and_(AuditEvent.object_type == "user", AuditEvent.object_id == user_id),
        )
    )
    return _in_group(stmt, group).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def retention_cutoff(session: Session, now: datetime | None = None) -> datetime:
    return (now or now_utc()) - timedelta(days=audit_retention_days(session))


def purge_audit_events(session: Session, now: datetime | None = None) -> int:
    """Delete the events older than the retention setting; how many were deleted."""
    result = session.execute(
        delete(AuditEvent)
        .where(AuditEvent.created_at < retention_cutoff(session, now))
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return cast("CursorResult[Any]", result).rowcount or 0
