"""Imports: the batch a file's rows became, the pending entries it matched, and the
column-mapping profiles a household saves for its banks' files (docs/import.md)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from finora.models.base import Base, UTCDateTime, utcnow

IMPORT_FORMATS = ("csv", "xlsx", "ofx", "qif", "camt", "mt940")


class ImportBatch(Base):
    """One committed import: the entries it added carry its id; undo removes them."""

    __tablename__ = "import_batches"
    __table_args__ = (Index("ix_import_batches_household_created", "household_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    # Kept when the account goes (it can only go once the batch's entries are gone).
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(8))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rows_in_file: Mapped[int] = mapped_column(Integer, default=0)
    added: Mapped[int] = mapped_column(Integer, default=0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.format} {self.file_name!r}>"


class ImportMatch(Base):
    """A pending entry an import marked paid instead of adding a twin: what undo restores."""

    __tablename__ = "import_matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batches.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    previous_paid_on: Mapped[date | None] = mapped_column(Date)
    previous_import_key: Mapped[str | None] = mapped_column(String(64))


class ImportProfile(Base):
    """A named column mapping, offered again for files whose header is the same."""

    __tablename__ = "import_profiles"
    __table_args__ = (
        UniqueConstraint("household_id", "name"),
        Index("ix_import_profiles_household_header", "household_id", "header_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    # sha256 of the normalised header cells: files with the same columns get this profile.
    header_key: Mapped[str] = mapped_column(String(64))
    # JSON: the reading options (encoding, delimiter, header row, sheet) and the mapping.
    settings: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<ImportProfile {self.id} {self.name!r}>"
