"""SQLAlchemy models, one module per aggregate; importing this registers them all."""

from finora.models.account import Account
from finora.models.audit import AuditEvent
from finora.models.backup import Backup, BackupSchedule
from finora.models.budget import Budget, Goal, GoalContribution
from finora.models.categorisation_rule import CategorisationRule
from finora.models.category import Category
from finora.models.entry import Entry, Transfer
from finora.models.entry_split import EntrySplit
from finora.models.form_token import UsedFormToken
from finora.models.household import Household, Membership
from finora.models.import_batch import ImportBatch, ImportMatch, ImportProfile
from finora.models.integrations import AiInsight, AiSettings, EmailImportConfig
from finora.models.invitation import Invitation
from finora.models.job import JobRun, SchedulerLease
from finora.models.rule import RecurringRule, Skip
from finora.models.security import (
    ApiToken,
    BackupCode,
    EmailVerification,
    Passkey,
    PasswordResetToken,
    UserSession,
)
from finora.models.setting import Setting
from finora.models.snapshot import BalanceSnapshot
from finora.models.tag import EntryTag, Payee, PayeePattern, Tag
from finora.models.undo import UndoRecord
from finora.models.user import User

__all__ = [
    "Account",
    "AiInsight",
    "AiSettings",
    "ApiToken",
    "AuditEvent",
    "Backup",
    "BackupSchedule",
    "BackupCode",
    "BalanceSnapshot",
    "Budget",
    "CategorisationRule",
    "Category",
    "EmailImportConfig",
    "EmailVerification",
    "Entry",
    "EntrySplit",
    "EntryTag",
    "Goal",
    "GoalContribution",
    "Household",
    "ImportBatch",
    "ImportMatch",
    "ImportProfile",
    "Invitation",
    "JobRun",
    "Membership",
    "Passkey",
    "Payee",
    "PayeePattern",
    "PasswordResetToken",
    "RecurringRule",
    "SchedulerLease",
    "Setting",
    "Skip",
    "Tag",
    "Transfer",
    "UndoRecord",
    "UsedFormToken",
    "User",
    "UserSession",
]
