"""Income and expense categories, two levels deep (category / subcategory)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from finora.models.base import Base, UTCDateTime, utcnow
from finora.models.category_defaults import default_label

KINDS = ("income", "expense")


class Category(Base):
    """A seeded category has a stable `code` and no `name` until the household renames it;
    its label then comes from the translation catalogue in the reader's language."""

    __tablename__ = "categories"
    __table_args__ = (
        UniqueConstraint("household_id", "code"),
        CheckConstraint("kind IN ('income', 'expense')", name="kind"),
        CheckConstraint("code IS NOT NULL OR name IS NOT NULL", name="labelled"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(80))
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def label(self) -> str:
        """The household's own name, else the seeded name in the current language."""
        if self.name:
            return self.name
        return default_label(self.code)

    def __repr__(self) -> str:
        return f"<Category {self.id} {self.code or self.name}>"
