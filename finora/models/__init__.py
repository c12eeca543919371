"""SQLAlchemy models, one module per aggregate; importing this registers them all."""

from finora.models.household import Household, Membership
from finora.models.setting import Setting
from finora.models.user import User

__all__ = ["Household", "Membership", "Setting", "User"]
