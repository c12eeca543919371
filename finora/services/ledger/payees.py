"""Payees: who an entry's money went to or came from, named once however a bank spells it.

A bank writes "PAG*UBER TRIP 1234"; normalise_description() reduces it to "uber trip".
When the user gives an imported entry a payee, that normal form is remembered as a pattern
of the payee (learn_pattern), and later imports whose descriptions normalise to it — or
start with it, word by word — get the payee (payee_for_description)."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from finora.errors import FieldError, FinoraError
from finora.models import Entry, Household, Payee, PayeePattern
from finora.models.tag import PATTERN_MAX, PAYEE_NAME_MAX
from finora.services.system import audit
from finora.translation import lazy_gettext as _l

# What card processors and banks put before the merchant's name.
_PREFIXES = re.compile(
    r"^\s*(?:"
    r"pag\s*\*|pagseguro\s*\*?|paypal\s*\*|pp\s*\*|sumup\s*\*|sq\s*\*|iz\s*\*|zettle\s*_?\*|"
    r"mp\s*\*|mercadopago\s*\*|ifd\s*\*|ec\s*\*|"
    r"compra\s+(?:com\s+)?cart[aã]o(?:\s+(?:de\s+)?(?:deb(?:ito)?|cred(?:ito)?))?|"
    r"compra\s+(?:no\s+)?(?:debito|credito)|pix\s+(?:enviado|recebido)|"
    r"card\s+payment(?:\s+to)?|pos\s+purchase|debit\s+card\s+purchase"
    r")\s*[-:]?\s*",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[*_/\\|#:;,.()\[\]-]+")


class PayeeNameTakenError(FinoraError):
    message = _l("Another payee already has this name.")


def payee_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _plain(text: str) -> str:
    """Without accents ("cartão" -> "cartao"), so banks that drop them still match."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise_description(description: str) -> str:
    """The merchant part of a bank description, case-folded: processor prefixes, ids,
    dates and amounts (any word with a digit) at either end dropped, spaces collapsed.
    "PAG*UBER TRIP 1234" -> "uber trip"; empty when nothing is left."""
    text = _plain(description or "").casefold()
    while True:
        shorter = _PREFIXES.sub("", text, count=1)
        if shorter == text:
            break
        text = shorter
    words = _SEPARATORS.sub(" ", text).split()
    while words and any(c.isdigit() for c in words[-1]):
        words.pop()
    while words and any(c.isdigit() for c in words[0]):
        words.pop(0)
    return " ".join(words)[:PATTERN_MAX]


def clean_payee_name(name: str | None, field: str = "payee") -> str:
    """The name as it is kept (spaces collapsed), or a FieldError when too long."""
    text = " ".join((name or "").split())
    if len(text) > PAYEE_NAME_MAX:
        raise FieldError(field, _l("A payee's name has at most %(count)d characters.", count=PAYEE_NAME_MAX))
    return text


def payee_named(session: Session, household: Household, name: str | None) -> Payee | None:
    """The household's payee with this name (any case), created when new; None for blank."""
    text = clean_payee_name(name)
    if not text:
        return None
    key = payee_key(text)
    payee = session.scalar(select(Payee).where(Payee.household_id == household.id, Payee.name_key == key))
    if payee is None:
        payee = Payee(household_id=household.id, name=text, name_key=key)
        session.add(payee)
        session.flush()
    return payee


def list_payees(session: Session, household: Household) -> list[Payee]:
    return list(
        session.scalars(select(Payee).where(Payee.household_id == household.id).order_by(Payee.name_key))
    )


def payee_entry_counts(session: Session, household: Household) -> dict[int, int]:
    """payee id -> how many of the household's entries name it."""
    rows = session.execute(
        select(Entry.payee_id, func.count())
        .where(Entry.household_id == household.id, Entry.payee_id.is_not(None))
        .group_by(Entry.payee_id)
    )
    return {payee_id: count for payee_id, count in rows if payee_id is not None}


def payee_patterns(session: Session, household: Household) -> dict[str, int]:
    """pattern -> payee id, the household's learned patterns (read once per import)."""
    rows = session.execute(
        select(PayeePattern.pattern, PayeePattern.payee_id).where(PayeePattern.household_id == household.id)
    )
    return {pattern: payee_id for pattern, payee_id in rows}


def payee_for_description(patterns: dict[str, int], description: str) -> int | None:
    """The payee id whose pattern the description normalises to, or starts with word by
    word (the longest such pattern wins); None when no pattern fits."""
    normal = normalise_description(description)
    if not normal:
        return None
    if normal in patterns:
        return patterns[normal]
    words = normal.split()
    for length in range(len(words) - 1, 0, -1):
        found = patterns.get(" ".join(words[:length]))
        if found is not None:
            return found
    return None


def learn_pattern(session: Session, household: Household, payee: Payee, description: str) -> None:
    """Remember that descriptions like this one are `payee` (the latest word wins)."""
    pattern = normalise_description(description)
    if not pattern:
        return
    existing = session.scalar(
        select(PayeePattern).where(PayeePattern.household_id == household.id, PayeePattern.pattern == pattern)
    )
    if existing is None:
        session.add(PayeePattern(household_id=household.id, payee_id=payee.id, pattern=pattern))
    else:
        existing.payee_id = payee.id
    session.flush()


def set_entry_payee(session: Session, household: Household, entry: Entry, name: str | None) -> None:
    """Give the entry the payee of this name (created when new; blank clears it). On an
    imported entry the user's choice also teaches the description's pattern."""
    payee = payee_named(session, household, name)
    changed = (payee.id if payee else None) != entry.payee_id
    entry.payee = payee
    entry.payee_id = payee.id if payee else None
    if payee is not None and changed and entry.import_batch_id is not None:
        learn_pattern(session, household, payee, entry.description)


def rename_payee(session: Session, payee: Payee, name: str) -> None:
    text = clean_payee_name(name, "name")
    if not text:
        raise FieldError("name", _l("Enter a name."))
    key = payee_key(text)
    taken = session.scalar(
        select(Payee.id).where(Payee.household_id == payee.household_id, Payee.name_key == key, Payee.id != payee.id)
    )
    if taken is not None:
        raise FieldError("name", PayeeNameTakenError.message)
    payee.name, payee.name_key = text, key
    session.flush()
    audit.record(session, "payee.renamed", object=payee)


def merge_payees(session: Session, source: Payee, target: Payee) -> int:
    """Move every entry and pattern of `source` to `target`, then delete `source`; returns
    how many entries moved. Both belong to one household (the caller loaded them so)."""
    if source.household_id != target.household_id:
        raise FinoraError(_l("Not found."))
    if source.id == target.id:
        raise FieldError("target_id", _l("Choose another payee to merge into."))
    # Counted, not read from rowcount: MySQL counts changed rows, others matched ones.
    moved = session.scalar(
        select(func.count()).select_from(Entry)
        .where(Entry.household_id == source.household_id, Entry.payee_id == source.id)
    ) or 0
    session.execute(
        update(Entry)
        .where(Entry.household_id == source.household_id, Entry.payee_id == source.id)
        .values(payee_id=target.id)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(PayeePattern)
        .where(PayeePattern.payee_id == source.id)
        .values(payee_id=target.id)
        .execution_options(synchronize_session=False)
    )
    audit.record(session, "payee.merged", object=target, details={"from": source.name, "entries": moved})
    session.delete(source)
    session.flush()
    session.expire_all()
    return moved
