"""SQLAlchemy models, one module per aggregate; importing this registers them all."""

from finora.models.account import Account
from finora.models.category import Category
from finora.models.entry import Entry, Transfer
from finora.models.household import Household, Membership
from finora.models.setting import Setting
from finora.models.user import User

__all__ = ["Account", "Category", "Entry", "Household", "Membership", "Setting", "Transfer", "User"]
