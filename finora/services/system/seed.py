"""Demo and benchmark data: years of realistic household finances, inserted in bulk.

`seed_household` fills one household with accounts, a salary, housing, utilities,
subscriptions, everyday spending, a few large purchases a year and the transfers between
accounts (monthly savings, the credit-card bill). Everything comes from the `rng` it is
given, so one seed always produces the same ledger for a household in the same state.

Statuses are relative to `end`: entries older than ten days are paid (on the day, or a day
or two later for bills), apart from a few left unpaid (overdue); the last ten days and the
bills still due in the rest of `end`'s month are mostly unpaid.

Rows are validated once (accounts and the category codes) and inserted with bulk
`INSERT`s, so 100,000 entries take seconds. The function flushes; the caller commits.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from finora.amounts import CENT
from finora.models import Account, Category, Entry, Household, Membership, Transfer, User
from finora.models.base import utcnow
from finora.services.ledger.accounts import AccountData, create_account
from finora.services.ledger.catalogue import seed_default_catalogue

CHUNK_SIZE = 5000
RECENT_DAYS = 10
ONE = Decimal("1.00")  # entries younger than this (relative to `end`) are mostly still unpaid

ACCOUNT_NAMES = {
    "pt": {"checking": "Conta corrente", "savings": "Poupança", "credit_card": "Cartão de crédito", "cash": "Carteira"},
    "en": {"checking": "Checking", "savings": "Savings", "credit_card": "Credit card", "cash": "Wallet"},
    "es": {"checking": "Cuenta corriente", "savings": "Ahorros", "credit_card": "Tarjeta de crédito", "cash": "Efectivo"},
}


@dataclass(frozen=True)
class SeedReport:
    entries: int
    transfers: int
    accounts_created: int
    start: date
    end: date


# --- Everyday spending: (subcategory code, weight, min cents, max cents, descriptions, methods)
# Methods are (payment method, weight); "cash" becomes a debit card without a cash account.
_CARD = (("credit_card", 6), ("debit_card", 3), ("bank_transfer", 1))
_SMALL = (("debit_card", 4), ("credit_card", 3), ("cash", 2), ("bank_transfer", 1))


@dataclass(frozen=True)
class _Daily:
    code: str
    weight: float
    low: int
    high: int
    descriptions: tuple[str, ...]
    methods: tuple[tuple[str, int], ...] = _CARD
    needs_car: bool = False
    without_car: bool = False


DAILY = (
    _Daily("expense.food.groceries", 12, 3000, 42000, (
        "Supermercado Pão de Açúcar", "Carrefour", "Assaí Atacadista", "Supermercado Extra",
        "Hortifruti", "Feira livre", "Atacadão", "Supermercado Dia", "Mercadinho do bairro",
        "Sacolão", "St Marche", "Oba Hortifruti",
    ), (("credit_card", 5), ("debit_card", 4), ("cash", 1), ("bank_transfer", 1))),
    _Daily("expense.food.bakery", 9, 600, 4800, (
        "Padaria Real", "Padaria Santa Marta", "Padaria e Confeitaria", "Café da esquina",
        "Starbucks", "Casa do Pão de Queijo", "Kopenhagen",
    ), _SMALL),
    _Daily("expense.food.restaurants", 6, 3500, 32000, (
        "Restaurante Outback", "Cantina italiana", "Churrascaria Fogo de Chão", "Temakeria",
        "Boteco do Zé", "Pizzaria Bráz", "Madero", "Restaurante japonês", "Hamburgueria",
        "Coco Bambu", "Bar do Alemão", "Restaurante árabe",
    )),
    _Daily("expense.food.delivery", 7, 2800, 14500, (
        "iFood", "Rappi", "Zé Delivery", "iFood — pizzaria", "iFood — comida japonesa",
        "Rappi — mercado", "McDonald's delivery",
    ), (("credit_card", 8), ("bank_transfer", 2))),
    _Daily("expense.food.work_meals", 8, 2200, 5800, (
        "Almoço — restaurante por quilo", "Almoço executivo", "Lanchonete", "Marmitaria",
        "Subway", "Restaurante do trabalho",
    ), _SMALL),
    _Daily("expense.transport.fuel", 4, 12000, 35000, (
        "Posto Shell", "Posto Ipiranga", "Posto BR", "Posto Ale", "Auto Posto Texaco",
    ), (("credit_card", 7), ("debit_card", 3)), needs_car=True),
    _Daily("expense.transport.parking", 2, 800, 4500, (
        "Estacionamento", "Sem Parar", "Estapar", "Zona Azul", "Pedágio",
    ), (("credit_card", 6), ("cash", 2), ("debit_card", 2)), needs_car=True),
    _Daily("expense.transport.public", 3, 440, 5000, (
        "Metrô", "Recarga Bilhete Único", "Ônibus", "CPTM", "Recarga cartão de transporte",
    ), (("debit_card", 5), ("cash", 3), ("bank_transfer", 2))),
    _Daily("expense.transport.public", 5, 440, 5000, (
        "Metrô", "Recarga Bilhete Único", "Ônibus", "CPTM",
    ), (("debit_card", 5), ("cash", 3), ("bank_transfer", 2)), without_car=True),
    _Daily("expense.transport.rides", 3, 1200, 6500, ("Uber", "99", "Uber — aeroporto", "Táxi"),
           (("credit_card", 9), ("cash", 1))),
    _Daily("expense.health.pharmacy", 3, 1500, 22000, (
        "Drogasil", "Droga Raia", "Pague Menos", "Drogaria São Paulo", "Farmácia Popular",
    )),
    _Daily("expense.personal.care", 1.5, 3500, 18000, (
        "Barbearia", "Salão de beleza", "Manicure", "O Boticário", "Natura",
    ), _SMALL),
    _Daily("expense.shopping.clothing", 1.2, 6000, 45000, (
        "Renner", "C&A", "Riachuelo", "Zara", "Centauro", "Hering", "Netshoes",
    )),
    _Daily("expense.shopping.online", 2, 2500, 40000, (
        "Amazon", "Mercado Livre", "Shopee", "Magalu", "AliExpress", "Americanas.com",
    ), (("credit_card", 9), ("bank_transfer", 1))),
    _Daily("expense.shopping.home", 1, 3000, 30000, (
        "Leroy Merlin", "Tok&Stok", "Camicado", "Casas Bahia", "Etna", "Utilidades domésticas",
    )),
    _Daily("expense.leisure.outings", 1.5, 3000, 25000, (
        "Cinema Cinemark", "Ingresso.com", "Show", "Teatro", "Museu", "Parque", "Boliche",
    )),
    _Daily("expense.leisure.hobbies", 0.6, 2000, 25000, (
        "Loja de artesanato", "Decathlon", "Loja de instrumentos", "Kalunga",
    )),
    _Daily("expense.leisure.games", 0.5, 2000, 25000, ("Steam", "PlayStation Store", "Nintendo eShop", "Xbox")),
    _Daily("expense.personal.pets", 0.8, 4000, 30000, ("Petz", "Cobasi", "Veterinário", "Pet shop do bairro")),
    _Daily("expense.education.books", 0.5, 3000, 12000, ("Livraria Cultura", "Amazon Kindle", "Livraria da Travessa", "Papelaria")),
    _Daily("expense.shopping.gifts", 0.6, 5000, 30000, ("Presente de aniversário", "Presente", "Flores", "Lojas Americanas")),
    _Daily("expense.personal.donations", 0.2, 2000, 15000, ("Doação", "Vaquinha online", "Dízimo"),
           (("bank_transfer", 8), ("cash", 2))),
    _Daily("expense.other.fees", 0.3, 500, 9000, ("Cartório", "Correios", "Taxa de serviço", "Chaveiro"), _SMALL),
)

LARGE = (
    ("expense.shopping.electronics", 80000, 900000, (
        "Notebook Dell", "Smartphone Samsung Galaxy", "iPhone", "TV 55\" LG", "Fone Bluetooth JBL",
        "Tablet", "Console PlayStation 5", "Monitor 27\"",
    )),
    ("expense.housing.furniture", 90000, 700000, (
        "Sofá — Tok&Stok", "Guarda-roupa", "Geladeira Brastemp", "Máquina de lavar", "Mesa de jantar",
        "Colchão", "Fogão", "Ar-condicionado",
    )),
    ("expense.leisure.travel", 120000, 1200000, (
        "Passagens aéreas — LATAM", "Passagens aéreas — Gol", "Hotel — Booking.com", "Airbnb",
        "Pacote de viagem — CVC", "Pousada",
    )),
    ("expense.housing.maintenance", 30000, 450000, (
        "Eletricista", "Encanador", "Pintura do apartamento", "Reforma do banheiro", "Marceneiro",
    )),
    ("expense.health.dentist", 25000, 300000, ("Dentista", "Tratamento ortodôntico", "Clínica odontológica")),
)

EMPLOYERS = ("Itaú Unibanco", "Ambev", "Natura &Co", "Vale", "TOTVS", "Magazine Luiza", "Embraer", "Petrobras",
             "Prefeitura", "Hospital Albert Einstein", "Grupo Boticário", "Stone")
BANKS = ("Caixa", "Itaú", "Bradesco", "Santander", "Banco do Brasil")
SUBSCRIPTIONS = (
    ("expense.telecom.tv", "Netflix", 2590, 5590),
    ("expense.leisure.subscriptions", "Spotify", 1190, 3490),
    ("expense.leisure.subscriptions", "Amazon Prime", 990, 1990),
    ("expense.telecom.tv", "Disney+", 2790, 4390),
    ("expense.telecom.tv", "HBO Max", 2790, 4490),
    ("expense.leisure.subscriptions", "iCloud+", 350, 4990),
    ("expense.leisure.subscriptions", "YouTube Premium", 2090, 4190),
    ("expense.leisure.subscriptions", "Jornal Folha — assinatura", 2990, 4990),
    ("expense.health.fitness", "Smart Fit", 9990, 14990),
    ("expense.leisure.subscriptions", "Kindle Unlimited", 1990, 2490),
)

# Every code the generator may use: checked once against the household's tree.
_FIXED_CODES = (
    "income.work.salary", "income.work.freelance", "income.work.bonus", "income.work.thirteenth",
    "income.investments.interest", "income.other.refunds", "income.sales.used_items",
    "expense.housing.rent", "expense.housing.mortgage", "expense.housing.condo_fees",
    "expense.housing.property_tax", "expense.utilities.electricity", "expense.utilities.water",
    "expense.utilities.gas", "expense.telecom.internet", "expense.telecom.mobile",
    "expense.health.insurance", "expense.education.school", "expense.bank_fees.account",
    "expense.bank_fees.card", "expense.transport.vehicle_tax", "expense.insurance.vehicle",
    "expense.transport.maintenance", "expense.personal.domestic_help",
)
ALL_CODES = tuple(
    dict.fromkeys(_FIXED_CODES + tuple(d.code for d in DAILY) + tuple(c for c, *_ in LARGE)
                  + tuple(c for c, *_ in SUBSCRIPTIONS))
)

_WEEKDAY_WEIGHT = (1.0, 0.95, 1.0, 1.05, 1.25, 1.45, 1.1)  # Monday .. Sunday


def seed_household(
    session: Session,
    household: Household,
    *,
    years: int,
    end: date,
    rng: random.Random,
    target_entries: int | None = None,
    locale: str | None = None,
) -> SeedReport:
    """Fill `household` with `years` years of data ending at `end` (see the module doc).

    `target_entries` scales the everyday spending so the household gets about that many
    entries in total (never fewer than the fixed monthly schedule). Accounts the household
    lacks are created through the accounts service, named in `locale` (default: the
    owner's language).
    """
    if years < 1:
        raise ValueError("years must be at least 1")
    if target_entries is not None and target_entries < 0:
        raise ValueError("target_entries cannot be negative")
    start = _add_years(end, -years) + timedelta(days=1)
    builder = _Builder(session, household, rng, start, end, locale or _owner_locale(session, household))
    builder.prepare()
    builder.fixed_schedule()
    builder.large_purchases()
    builder.everyday(target_entries)
    builder.transfers()
    entries, transfers = builder.insert()
    return SeedReport(
        entries=entries,
        transfers=transfers,
        accounts_created=builder.accounts_created,
        start=start,
        end=end,
    )


def refresh_statistics(session: Session) -> None:
    """Refresh the query planner's statistics of the ledger tables after a bulk load.

    Run it after committing. Without it MariaDB keeps the statistics of the empty tables
    for a while and may plan the month's entry list through the account index (tenfold
    slower at 100,000 entries); PostgreSQL and SQLite also plan better with fresh numbers.
    """
    tables = ("entries", "entry_splits", "transfers", "accounts", "categories")
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.execute(text("ANALYZE"))
    elif dialect == "postgresql":
        for table in tables:
            session.execute(text(f"ANALYZE {table}"))
    elif dialect in ("mysql", "mariadb"):
        session.execute(text(f"ANALYZE TABLE {', '.join(tables)}")).all()
    session.commit()


# --- helpers ---------------------------------------------------------------------------


def _daily_items(has_car: bool) -> list[_Daily]:
    return [d for d in DAILY if (not d.needs_car or has_car) and (not d.without_car or not has_car)]


def _mean_daily_amount(items: list[_Daily]) -> float:
    """The expected amount of one everyday expense, in currency units."""
    return sum(d.weight * (d.low + d.high) / 200 for d in items) / sum(d.weight for d in items)


def _add_years(day: date, years: int) -> date:
    year = day.year + years
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def _on(year: int, month: int, day: int) -> date:
    """That day of the month, or the month's last day when it is shorter."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _business_day(day: date, *, backwards: bool) -> date:
    """Move a weekend day to the previous (income) or next (bills) weekday."""
    step = timedelta(days=-1 if backwards else 1)
    while day.weekday() >= 5:
        day += step
    return day


def _owner_locale(session: Session, household: Household) -> str:
    locale = session.scalar(
        select(User.locale)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.household_id == household.id, Membership.role == "owner")
        .order_by(Membership.id)
        .limit(1)
    )
    return locale if locale in ACCOUNT_NAMES else "pt"


def _months(start: date, last: date):
    year, month = start.year, start.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


@dataclass
class _Profile:
    """Who this household is: drawn once from the rng, before anything else."""

    salary: Decimal
    employer: str
    partner_salary: Decimal | None
    partner_employer: str
    inflation: Decimal
    rents: bool
    housing: Decimal
    bank: str
    condo: Decimal | None
    has_gas: bool
    has_car: bool
    health_plan: tuple[str, Decimal] | None
    school: Decimal | None
    cleaner: Decimal | None
    bank_fee: Decimal | None
    subscriptions: list[tuple[str, str, Decimal]]
    internet: tuple[str, Decimal]
    mobile: tuple[str, Decimal]
    electricity: str
    water: str
    card_due_day: int
    saving: Decimal
    daily_rate: float
    kinds: list[str]
    opening: dict[str, Decimal] = field(default_factory=dict)


class _Builder:
    def __init__(self, session: Session, household: Household, rng: random.Random,
                 start: date, end: date, locale: str) -> None:
        self.session = session
        self.household = household
        self.rng = rng
        self.start = start
        self.end = end
        self.horizon = _on(end.year, end.month, 31)  # bills of the rest of end's month
        self.recent = end - timedelta(days=RECENT_DAYS)
        self.locale = locale
        self.now = utcnow()
        self.rows: list[dict] = []
        self.transfer_rows: list[dict] = []
        self.accounts: dict[str, int] = {}
        self.accounts_created = 0
        self.categories: dict[str, tuple[int, int, str]] = {}
        self.travels: list[tuple[date, Decimal]] = []
        self.profile = self._draw_profile()

    # --- set-up ---------------------------------------------------------------------

    def _money(self, low_cents: int, high_cents: int) -> Decimal:
        return (Decimal(self.rng.randint(low_cents, high_cents)) / 100).quantize(CENT)

    def _round(self, low: int, high: int, step: int) -> Decimal:
        return Decimal(self.rng.randrange(low, high + 1, step)).quantize(CENT)

    def _draw_profile(self) -> _Profile:
        """Lifestyle first; the salaries then cover it with a margin, so balances stay sane."""
        r = self.rng
        kinds = ["checking", "credit_card"]
        if r.random() < 0.8:
            kinds.append("savings")
        if r.random() < 0.5:
            kinds.append("cash")
        rents = r.random() < 0.6
        has_car = r.random() < 0.7
        has_gas = r.random() < 0.6
        subs = r.sample(SUBSCRIPTIONS, k=r.randint(2, 5))
        profile = _Profile(
            salary=Decimal(0),
            employer=r.choice(EMPLOYERS),
            partner_salary=None,
            partner_employer=r.choice(EMPLOYERS),
            inflation=Decimal(r.randint(30, 70)) / 1000,
            rents=rents,
            housing=self._round(1200, 4500, 10) if rents else self._money(150000, 520000),
            bank=r.choice(BANKS),
            condo=self._money(35000, 120000) if r.random() < 0.55 else None,
            has_gas=has_gas,
            has_car=has_car,
            health_plan=(r.choice(("Unimed", "SulAmérica Saúde", "Bradesco Saúde", "Amil")),
                         self._money(45000, 160000)) if r.random() < 0.6 else None,
            school=self._round(900, 3500, 10) if r.random() < 0.35 else None,
            cleaner=self._round(600, 1600, 20) if r.random() < 0.3 else None,
            bank_fee=self._money(1990, 6490) if r.random() < 0.5 else None,
            subscriptions=[(code, name, self._money(low, high)) for code, name, low, high in subs],
            internet=(r.choice(("Vivo Fibra", "Claro Net", "TIM Live", "Oi Fibra")), self._money(9990, 19990)),
            mobile=(r.choice(("TIM", "Claro", "Vivo")), self._money(4990, 14990)),
            electricity=r.choice(("Enel", "CEMIG", "Light", "Copel", "Neoenergia")),
            water=r.choice(("Sabesp", "Copasa", "Cedae", "Sanepar")),
            card_due_day=r.choice((12, 15, 17, 20)),
            saving=Decimal(0),
            daily_rate=r.uniform(1.6, 2.6),
            kinds=kinds,
        )
        # What a month costs, roughly (cents are irrelevant here: floats are fine).
        monthly = float(profile.housing) + sum(
            float(x) for x in (profile.condo, profile.cleaner, profile.bank_fee) if x is not None
        )
        monthly += float(profile.health_plan[1]) if profile.health_plan else 0
        monthly += float(profile.school) * 11 / 12 if profile.school else 0
        monthly += 150 + 115 + (70 if has_gas else 0) + float(profile.internet[1] + profile.mobile[1]) + 8
        monthly += sum(float(price) for _code, _name, price in profile.subscriptions)
        monthly += 640 if has_car else 0
        monthly += 3.5 * sum((low + high) / 200 for _c, low, high, _n in LARGE) / len(LARGE) / 12
        monthly += profile.daily_rate * 30.4 * _mean_daily_amount(_daily_items(has_car))
        # The 13th salary, bonuses, freelance work and interest add about a fifth on top.
        income = monthly * r.uniform(0.95, 1.1)
        if r.random() < 0.5:
            share = r.uniform(0.5, 0.7)
            profile.salary = Decimal(round(income * share / 50) * 50).quantize(CENT)
            profile.partner_salary = Decimal(round(income * (1 - share) / 50) * 50).quantize(CENT)
        else:
            profile.salary = Decimal(round(income / 50) * 50).quantize(CENT)
        profile.saving = Decimal(max(50, round(income * r.uniform(0.05, 0.1) / 50) * 50)).quantize(CENT)
        profile.opening = {
            "checking": self._money(100000, 800000),
            "savings": self._money(500000, 4000000),
            "credit_card": Decimal("0.00"),
            "cash": self._money(5000, 40000),
        }
        return profile

    def prepare(self) -> None:
        """Find or create the accounts; check every category code once."""
        self._prepare_accounts()
        seed_default_catalogue(self.session, self.household)  # restores missing default codes
        rows = self.session.execute(
            select(Category.id, Category.code, Category.parent_id, Category.kind).where(
                Category.household_id == self.household.id
            )
        ).all()
        by_id = {row.id: row for row in rows}
        by_code = {row.code: row for row in rows if row.code}
        for code in ALL_CODES:
            sub = by_code.get(code)
            parent = by_id.get(sub.parent_id) if sub is not None and sub.parent_id else None
            kind = code.split(".", 1)[0]
            if (
                sub is None
                or parent is None
                or parent.parent_id is not None
                or sub.kind != kind
                or parent.kind != kind
            ):
                raise ValueError(f"household {self.household.id} has no usable category {code}")
            self.categories[code] = (parent.id, sub.id, kind)

    def _prepare_accounts(self) -> None:
        existing = list(
            self.session.scalars(
                select(Account).where(Account.household_id == self.household.id).order_by(Account.id)
            )
        )
        names = {a.name.strip().lower() for a in existing}
        for kind in self.profile.kinds:
            account = next((a for a in existing if a.kind == kind and not a.archived), None)
            if account is None:
                name = ACCOUNT_NAMES[self.locale][kind]
                candidate, n = name, 2
                while candidate.lower() in names:
                    candidate, n = f"{name} {n}", n + 1
                names.add(candidate.lower())
                account = create_account(
                    self.session,
                    self.household,
                    AccountData(
                        name=candidate,
                        kind=kind,
                        opening_balance=self.profile.opening[kind],
                        opening_date=self.start,
                    ),
                )
                self.accounts_created += 1
            elif account.opening_date > self.start and not self._has_movements(account):
                # An untouched account (e.g. the one sign-up creates today) opens with the
                # seeded history, or the balances would ignore it.
                account.opening_date = self.start
            self.accounts[kind] = account.id
        self.session.flush()

    def _has_movements(self, account: Account) -> bool:
        entry = self.session.scalar(select(Entry.id).where(Entry.account_id == account.id).limit(1))
        if entry is not None:
            return True
        transfer = self.session.scalar(
            select(Transfer.id)
            .where((Transfer.from_account_id == account.id) | (Transfer.to_account_id == account.id))
            .limit(1)
        )
        return transfer is not None

    # --- rows -----------------------------------------------------------------------

    def _factor(self, day: date) -> Decimal:
        """Prices rise once a year."""
        return (1 + self.profile.inflation) ** (day.year - self.start.year)

    def _grown(self, amount: Decimal, day: date) -> Decimal:
        return max((amount * self._factor(day)).quantize(CENT), CENT)

    def _paid_on(self, day: date, *, immediate: bool, overdue_rate: float) -> date | None:
        if day > self.end:
            return None
        if day > self.recent:
            return None if self.rng.random() < 0.7 else day
        if self.rng.random() < overdue_rate:
            return None
        if immediate:
            return day
        return min(day + timedelta(days=self.rng.choice((0, 0, 0, 1, 2))), self.end)

    def _account_for(self, method: str) -> tuple[str, int]:
        if method == "credit_card":
            return method, self.accounts["credit_card"]
        if method == "cash":
            if "cash" in self.accounts:
                return method, self.accounts["cash"]
            method = "debit_card"
        return method, self.accounts["checking"]

    def add(self, day: date, code: str, amount: Decimal, description: str, method: str, *,
            account: str | None = None, immediate: bool = False, overdue_rate: float = 0.02) -> None:
        if not (self.start <= day <= self.horizon):
            return
        category_id, subcategory_id, kind = self.categories[code]
        if account is None:
            method, account_id = self._account_for(method)
        else:
            account_id = self.accounts[account]
        self.rows.append({
            "household_id": self.household.id,
            "account_id": account_id,
            "kind": kind,
            "amount": amount,
            "date": day,
            "paid_on": self._paid_on(day, immediate=immediate, overdue_rate=overdue_rate),
            "description": description,
            "category_id": category_id,
            "subcategory_id": subcategory_id,
            "payment_method": method,
            "created_at": self.now,
            "updated_at": self.now,
        })

    def fixed_schedule(self) -> None:
        """Salaries, housing, utilities, subscriptions and yearly bills, month by month."""
        p, r = self.profile, self.rng
        savings_months = 0
        for year, month in _months(self.start, self.horizon):
            payday = _business_day(_on(year, month, 5), backwards=True)
            factor_day = date(year, month, 1)
            self.add(payday, "income.work.salary", self._grown(p.salary, factor_day),
                     f"Salário — {p.employer}", "bank_transfer", immediate=True, overdue_rate=0)
            if p.partner_salary is not None:
                day = _business_day(_on(year, month, 31), backwards=True)
                self.add(day, "income.work.salary", self._grown(p.partner_salary, factor_day),
                         f"Salário — {p.partner_employer}", "bank_transfer", immediate=True, overdue_rate=0)
            if month == 12:
                self.add(_business_day(date(year, 12, 20), backwards=True), "income.work.thirteenth",
                         self._grown(p.salary, factor_day), f"13º salário — {p.employer}",
                         "bank_transfer", immediate=True, overdue_rate=0)
            if month == 3 and r.random() < 0.6:
                self.add(_business_day(date(year, 3, 15), backwards=True), "income.work.bonus",
                         self._grown(p.salary * Decimal(r.randint(30, 150)) / 100, factor_day),
                         "Bônus anual (PLR)", "bank_transfer", immediate=True, overdue_rate=0)
            if r.random() < 0.3:
                self.add(_on(year, month, r.randint(1, 28)), "income.work.freelance", self._money(40000, 450000),
                         r.choice(("Projeto freelance", "Consultoria", "Tradução", "Aulas particulares")),
                         "bank_transfer", overdue_rate=0.04)
            if r.random() < 0.08:
                self.add(_on(year, month, r.randint(1, 28)), "income.sales.used_items", self._money(5000, 150000),
                         r.choice(("Venda — OLX", "Venda — Enjoei", "Venda — Mercado Livre")),
                         "bank_transfer", immediate=True)
            if r.random() < 0.06:
                self.add(_on(year, month, r.randint(1, 28)), "income.other.refunds", self._money(2000, 40000),
                         r.choice(("Estorno", "Reembolso", "Cashback")), "credit_card", immediate=True)
            if "savings" in self.accounts:
                savings_months += 1
                balance = p.opening["savings"] + p.saving * savings_months
                interest = max((balance * Decimal("0.006")).quantize(CENT), CENT)
                self.add(_on(year, month, 31), "income.investments.interest", interest,
                         "Rendimento da poupança", "other", account="savings", immediate=True, overdue_rate=0)

            due = _business_day(_on(year, month, 10), backwards=False)
            if p.rents:
                self.add(due, "expense.housing.rent", self._grown(p.housing, date(year, 1, 1)),
                         "Aluguel", "bank_transfer")
            else:
                self.add(due, "expense.housing.mortgage", p.housing,
                         f"Financiamento imobiliário — {p.bank}", "bank_transfer", overdue_rate=0.01)
                if month == 2:
                    self.add(_business_day(date(year, 2, 15), backwards=False), "expense.housing.property_tax",
                             self._grown(p.housing * Decimal("1.4"), factor_day), "IPTU — cota única",
                             "bank_transfer")
            if p.condo is not None:
                self.add(due, "expense.housing.condo_fees", self._grown(p.condo, factor_day),
                         "Condomínio", "bank_transfer")

            summer = month in (12, 1, 2, 3)
            light = self._money(14000, 26000) if summer else self._money(9000, 18000)
            self.add(_business_day(_on(year, month, 15), backwards=False), "expense.utilities.electricity",
                     self._grown(light, factor_day), f"Conta de luz — {p.electricity}", "bank_transfer",
                     overdue_rate=0.04)
            self.add(_business_day(_on(year, month, 18), backwards=False), "expense.utilities.water",
                     self._grown(self._money(6000, 17000), factor_day), f"Conta de água — {p.water}",
                     "bank_transfer", overdue_rate=0.04)
            if p.has_gas:
                gas = self._money(6000, 14000) if month in (5, 6, 7, 8) else self._money(3000, 8000)
                self.add(_business_day(_on(year, month, 20), backwards=False), "expense.utilities.gas",
                         self._grown(gas, factor_day), "Comgás", "bank_transfer", overdue_rate=0.04)
            name, price = p.internet
            self.add(_on(year, month, 12), "expense.telecom.internet", self._grown(price, factor_day),
                     name, "credit_card", immediate=True)
            name, price = p.mobile
            self.add(_on(year, month, 22), "expense.telecom.mobile",
                     self._grown(price + self._money(0, 1500), factor_day), f"{name} — celular",
                     "credit_card", immediate=True)
            for code, name, price in p.subscriptions:
                self.add(_on(year, month, 3 + len(name) % 20), code, self._grown(price, date(year, 1, 1)),
                         name, "credit_card", immediate=True, overdue_rate=0)
            if p.health_plan is not None:
                name, price = p.health_plan
                self.add(_business_day(_on(year, month, 8), backwards=False), "expense.health.insurance",
                         self._grown(price, date(year, 1, 1)), f"Plano de saúde — {name}", "bank_transfer",
                         overdue_rate=0.01)
            if p.school is not None and month != 1:
                self.add(_business_day(_on(year, month, 5), backwards=False), "expense.education.school",
                         self._grown(p.school, date(year, 1, 1)), "Mensalidade escolar", "bank_transfer")
            if p.cleaner is not None:
                self.add(_business_day(_on(year, month, 28), backwards=True), "expense.personal.domestic_help",
                         self._grown(p.cleaner, date(year, 1, 1)), "Diarista", "bank_transfer")
            if p.bank_fee is not None:
                self.add(_on(year, month, 1), "expense.bank_fees.account", p.bank_fee,
                         f"Tarifa pacote de serviços — {p.bank}", "other", immediate=True, overdue_rate=0)
            if month == 4:
                self.add(_on(year, month, 4), "expense.bank_fees.card", self._money(20000, 60000),
                         "Anuidade do cartão", "credit_card", immediate=True, overdue_rate=0)
            if p.has_car:
                if month == 1:
                    self.add(_business_day(date(year, 1, 20), backwards=False), "expense.transport.vehicle_tax",
                             self._money(80000, 350000), "IPVA", "bank_transfer")
                if month == 8:
                    self.add(_business_day(date(year, 8, 12), backwards=False), "expense.insurance.vehicle",
                             self._money(180000, 480000), r.choice(("Porto Seguro — auto", "Azul Seguros")),
                             "credit_card", immediate=True)
                if month in (3, 9):
                    self.add(_on(year, month, r.randint(1, 28)), "expense.transport.maintenance",
                             self._money(30000, 180000), r.choice(("Revisão — concessionária", "Troca de óleo",
                                                                  "Pneus", "Oficina mecânica")),
                             "credit_card", immediate=True)

    def large_purchases(self) -> None:
        """Electronics, furniture, travel, repairs: a few times a year."""
        for year in range(self.start.year, self.end.year + 1):
            for _ in range(self.rng.randint(2, 5)):
                code, low, high, names = self.rng.choice(LARGE)
                month = self.rng.choice((1, 7, 12)) if code == "expense.leisure.travel" else self.rng.randint(1, 12)
                day = _on(year, month, self.rng.randint(1, 28))
                if not (self.start <= day <= self.end):
                    continue
                amount = self._money(low, high)
                method = self.rng.choice(("credit_card", "credit_card", "bank_transfer"))
                self.add(day, code, amount, self.rng.choice(names), method, immediate=True, overdue_rate=0)
                if code == "expense.leisure.travel":
                    self.travels.append((day, amount))

    def everyday(self, target: int | None) -> None:
        """Groceries, meals, transport, pharmacy...: the bulk of the entries."""
        days = [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]
        natural = round(self.profile.daily_rate * len(days))
        total = natural if target is None else max(0, target - len(self.rows))
        # A benchmark's dense ledger spreads the same monthly spending over more, smaller
        # purchases, so the balances stay plausible.
        shrink = Decimal(natural) / Decimal(total) if total > natural else Decimal(1)
        items = _daily_items(self.profile.has_car)
        cumulative, running = [], 0.0
        for item in items:
            running += item.weight
            cumulative.append(running)
        method_tables = {}
        for item in items:
            acc, weights = 0, []
            for _method, weight in item.methods:
                acc += weight
                weights.append(acc)
            method_tables[item.code, item.without_car] = ([m for m, _ in item.methods], weights)

        day_weights = [_WEEKDAY_WEIGHT[d.weekday()] * self.rng.uniform(0.5, 1.5) for d in days]
        scale = total / sum(day_weights) if day_weights else 0
        placed, expected = 0, 0.0
        rng = self.rng
        for day, day_weight in zip(days, day_weights, strict=True):
            expected += day_weight * scale
            count = round(expected) - placed
            placed += count
            factor = self._factor(day) * shrink
            for _ in range(count):
                item = rng.choices(items, cum_weights=cumulative)[0]
                methods, method_weights = method_tables[item.code, item.without_car]
                method = rng.choices(methods, cum_weights=method_weights)[0]
                amount = max((Decimal(rng.randint(item.low, item.high)) / 100 * factor).quantize(CENT), ONE)
                self.add(day, item.code, amount, rng.choice(item.descriptions), method,
                         immediate=True, overdue_rate=0.003)

    def transfers(self) -> None:
        """Monthly savings, the credit-card bill, cash withdrawals, savings for trips."""
        p = self.profile
        checking, card = self.accounts["checking"], self.accounts["credit_card"]
        card_spend: dict[tuple[int, int], Decimal] = {}
        for row in self.rows:
            if row["account_id"] == card and row["paid_on"] is not None:
                key = (row["date"].year, row["date"].month)
                signed = row["amount"] if row["kind"] == "expense" else -row["amount"]
                card_spend[key] = card_spend.get(key, Decimal(0)) + signed
        for year, month in _months(self.start, self.end):
            previous = (year - 1, 12) if month == 1 else (year, month - 1)
            bill = card_spend.get(previous, Decimal(0))
            due = _business_day(_on(year, month, p.card_due_day), backwards=False)
            if bill > 0:
                self._transfer(due, checking, card, bill.quantize(CENT), f"Pagamento da fatura — {p.bank}")
            if "savings" in self.accounts:
                day = _business_day(_on(year, month, 6), backwards=False)
                self._transfer(day, checking, self.accounts["savings"], p.saving, "Aplicação na poupança")
            if "cash" in self.accounts:
                for _ in range(self.rng.randint(1, 3)):
                    self._transfer(_on(year, month, self.rng.randint(1, 28)), checking, self.accounts["cash"],
                                   self._round(100, 500, 50), "Saque — caixa eletrônico")
        if "savings" in self.accounts:
            for day, amount in self.travels:
                if self.rng.random() < 0.6:
                    withdrawal = ((amount // 100) + 1) * 100
                    self._transfer(day - timedelta(days=2), self.accounts["savings"], checking,
                                   withdrawal.quantize(CENT), "Resgate da poupança — viagem")

    def _transfer(self, day: date, source: int, target: int, amount: Decimal, description: str) -> None:
        if not (self.start <= day <= self.end) or amount <= 0 or source == target:
            return
        self.transfer_rows.append({
            "household_id": self.household.id,
            "from_account_id": source,
            "to_account_id": target,
            "amount": amount,
            "date": day,
            "description": description,
            "created_at": self.now,
        })

    # --- insert ---------------------------------------------------------------------

    def insert(self) -> tuple[int, int]:
        self.rows.sort(key=lambda row: row["date"])
        self.transfer_rows.sort(key=lambda row: row["date"])
        for model, rows in ((Entry, self.rows), (Transfer, self.transfer_rows)):
            for offset in range(0, len(rows), CHUNK_SIZE):
                self.session.execute(insert(model), rows[offset : offset + CHUNK_SIZE])
        self.session.flush()
        return len(self.rows), len(self.transfer_rows)
