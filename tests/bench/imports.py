"""The import's speed: a generated 10,000-row CSV into the 100,000-entry household, timed
on the server side from the upload to the commit (detect and stage, guess the mapping,
parse and map, dedupe against the account's keys and match pending entries, suggest
categories from the history, one bulk insert, commit). The floor: 2 s. pandas is loaded
before the clock starts, as in a process that has served an import before.

Run by `make bench` from tests/bench/run.py on its seeded database; on its own
(`python -m tests.bench.imports`) it seeds only the big household first.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Account, Entry, Household, User

IMPORT_ROWS = 10_000
FLOOR_SECONDS = 2.0


@dataclass
class ImportResult:
    rows: int
    added: int
    matched: int
    duplicates: int
    errors: int
    seconds: float
    steps: dict[str, float]

    @property
    def passed(self) -> bool:
        return self.added + self.matched + self.duplicates == self.rows and self.seconds <= FLOOR_SECONDS


def _pt_amount(amount: Decimal) -> str:
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{groups},{cents}"


def generate_csv(household: Household, account: Account, rows: int, rng: random.Random) -> bytes:
    """A bank export in Portuguese (dd/mm/yyyy, "1.234,56", ";") over the account's last
    year, with the household's own descriptions (so the history suggests categories)."""
    descriptions = db.session.scalars(
        select(Entry.description).where(Entry.household_id == household.id).distinct().limit(400)
    ).all() or ["Padaria"]
    last = db.session.scalar(select(func.max(Entry.date)).where(Entry.account_id == account.id))
    lines = ["Data;Descrição;Valor"]
    for _n in range(rows):
        day = last - timedelta(days=rng.randint(0, 364))
        cents = rng.randint(100, 90_000)
        amount = Decimal(cents if rng.random() < 0.1 else -cents) / 100
        lines.append(f"{day:%d/%m/%Y};{rng.choice(descriptions)} {rng.randint(1, 9999):04d};{_pt_amount(amount)}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def time_import(app, email: str, rows: int = IMPORT_ROWS) -> ImportResult:
    from finora.services.imports.commit import commit_import
    from finora.services.imports.parse import guess_table, parse_staged
    from finora.services.imports.review import build_review
    from finora.services.imports.staging import discard_staged, save_staged, stage_upload
    from finora.services.imports.tabular import guess_mapping, mapping_problems

    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == email))
        household = db.session.get(Household, owner.memberships[0].household_id)
        account = db.session.scalar(
            select(Account).where(Account.household_id == household.id, Account.kind == "checking")
            .order_by(Account.id)
        )
        data = generate_csv(household, account, rows, random.Random(14))
        db.session.rollback()
        # A serving process has pandas loaded from its first import on: its one-off import
        # (about 0.2 s) is start-up, not the import's time.
        import pandas  # noqa: F401
        steps: dict[str, float] = {}
        started = mark = time.perf_counter()

        def step(name: str) -> None:
            nonlocal mark
            now = time.perf_counter()
            steps[name] = now - mark
            mark = now

        staged = stage_upload(household, owner, "bench.csv", data)
        step("upload")
        table = guess_table(staged)
        mapping = guess_mapping(table)
        problems = mapping_problems(table, mapping)
        if problems:
            raise RuntimeError(f"the generated CSV needs a choice: {problems}")
        staged.account_id, staged.mapping = account.id, mapping.as_dict()
        save_staged(staged)
        step("mapping")
        parsed = parse_staged(staged, max_rows=app.config["IMPORT_MAX_ROWS"])
        step("parse")
        review = build_review(db.session, household, account, parsed)
        step("review")
        batch = commit_import(db.session, household, owner, account, staged, parsed, review)
        db.session.commit()
        step("commit")
        discard_staged(staged)
        seconds = time.perf_counter() - started
        result = ImportResult(rows, batch.added, batch.matched, batch.duplicates, batch.errors, seconds, steps)
        db.session.remove()
    return result


def report(result: ImportResult) -> bool:
    parts = ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in result.steps.items())
    print(
        f"\nImport of a {result.rows:,}-row CSV into the 100,000-entry household: "
        f"{result.seconds:.2f} s server time ({parts}); {result.added:,} added, "
        f"{result.matched} matched, {result.duplicates} duplicates, {result.errors} errors. "
        f"Floor: {FLOOR_SECONDS:.0f} s. {'PASS' if result.passed else 'FAIL'}"
    )
    return result.passed


def main() -> int:
    from tests.bench.standalone import run_alone

    return run_alone("import", lambda app, email: report(time_import(app, email)))


if __name__ == "__main__":
    import sys

    sys.exit(main())
