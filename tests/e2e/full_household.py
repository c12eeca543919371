"""A household full of data for the layout tests: long names, big amounts, every kind of row.

The rows go through the real services (so the activity trail fills as it would), dated
around the live server's today in São Paulo, so the current month, the months before it and
the current year all have something to show.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from finora.extensions import db
from finora.models import User
from finora.services.ledger.catalogue import create_category
from finora.services.planning.budgets import BudgetData, create_budget
from finora.services.planning.goals import ContributionData, GoalData, add_contribution, create_goal
from tests.e2e.ledger_helpers import today_in_sao_paulo
from tests.factories import create_user
from tests.ledger_factories import (
    category,
    checking_account,
    household_of,
    make_account,
    make_entry,
    make_transfer,
)
from tests.members_factories import add_member
from tests.planning_factories import make_rule

EMAIL = "maria.aparecida@example.com"
EMPTY_EMAIL = "joao.novo@example.com"
# A long unbroken word: only `overflow-wrap: anywhere` keeps it inside a phone's width.
UNBROKEN = "Supercalifragilisticexpialidocious-Rendimentos"
USER_NAME = "Maria Aparecida dos Santos Albuquerque de Oliveira e Vasconcelos Bragança"
HOUSEHOLD_NAME = "Família Albuquerque de Oliveira e Vasconcelos Bragança — casa de praia e apartamento"
LONG_ACCOUNT = "Conta conjunta Banco Cooperativo Regional de Crédito Vale do Rio Doce"
LONG_DESCRIPTION = (
    "Reforma completa da cozinha, do banheiro social e da área de serviço do apartamento, "
    "parcela 3 de 12, " + UNBROKEN
)
BIG = Decimal("1234567.89")


def months_before(day: date, months: int) -> date:
    """The first of the month `months` before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def create_empty_household() -> User:
    """A user with a fresh household and nothing else (only the seeded account)."""
    return create_user(email=EMPTY_EMAIL, name="João Novo", locale="pt",
                       household_name="Casa do João")


def create_full_household() -> User:
    """The instance admin, owner of a household with months of varied data; committed."""
    today = today_in_sao_paulo()
    user = create_user(email=EMAIL, name=USER_NAME, locale="pt", household_name=HOUSEHOLD_NAME)
    household = household_of(user)
    opened = months_before(today, 14)
    checking = checking_account(household)
    checking.opening_date = opened
    joint = make_account(household, name=LONG_ACCOUNT, opening_balance=BIG, opening_date=opened)
    savings = make_account(household, name=UNBROKEN, kind="savings", opening_balance="98765.43",
                           opening_date=opened)
    card = make_account(household, name="Cartão de crédito", kind="credit_card",
                        opening_date=opened)
    make_account(household, name="Banco antigo fechado em 2019 depois da mudança",
                 archived=True, opening_date=opened)

    custom = create_category(db.session, household, kind="expense",
                             name="Manutenção do apartamento de praia em Ubatuba e condomínio")
    db.session.commit()

    for back in range(4):
        first = months_before(today, back)
        day = first if back else today
        paid = day if back else None
        make_entry(household, kind="income", amount=BIG, date=first, account=joint,
                   description=f"Salário e participação nos lucros {UNBROKEN}", paid_on=first,
                   user=user)
        make_entry(household, amount="4500.00", date=first, category="expense.housing",
                   subcategory="expense.housing.rent", description="Aluguel", paid_on=first,
                   user=user)
        make_entry(household, amount="987654.32", date=day, account=joint, category=custom,
                   subcategory=None, description=LONG_DESCRIPTION, paid_on=paid,
                   notes="Orçamento aprovado em assembleia. " * 5, user=user)
        make_entry(household, amount="312.45", date=first + timedelta(days=2), account=card,
                   category="expense.telecom", subcategory="expense.telecom.internet",
                   description="Internet fibra", payment_method="credit_card", user=user)
        make_transfer(household, joint, savings, amount="250000.00", date=first,
                      description="Reserva de emergência " + UNBROKEN, user=user)
    # Overdue and future entries of this month.
    if today.day > 1:
        make_entry(household, amount="1999.99", date=today - timedelta(days=1),
                   category="expense.transport", subcategory=None,
                   description="IPVA e licenciamento do carro", user=user)
    make_transfer(household, checking, joint, amount="1000.00", date=today, user=user)

    make_rule(household, name="Aluguel do apartamento " + UNBROKEN, account_id=joint.id,
              anchor_date=months_before(today, 2).replace(day=10), auto_post=False)
    make_rule(household, name="Salário", kind="income", amount=BIG, account_id=joint.id,
              anchor_date=months_before(today, 2).replace(day=5), auto_post=False)
    make_rule(household, name="Carro novo elétrico com financiamento em 60 parcelas",
              is_scenario=True, amount=Decimal("154321.00"), account_id=joint.id,
              anchor_date=months_before(today, -2), auto_post=False)

    create_budget(db.session, household, BudgetData(
        category_id=category(household, "expense.food").id, period="monthly",
        amount=Decimal("3000.00")))
    create_budget(db.session, household, BudgetData(
        category_id=custom.id, period="monthly", amount=Decimal("900000.00")))
    goal = create_goal(db.session, household, GoalData(
        name="Intercâmbio das crianças na Nova Zelândia " + UNBROKEN,
        target_amount=Decimal("2500000.00"), target_date=date(today.year + 3, 6, 30),
        account_id=savings.id))
    add_contribution(db.session, goal, ContributionData(
        date=months_before(today, 1), amount=BIG, note="Bônus anual " + UNBROKEN))
    create_goal(db.session, household, GoalData(name="Viagem", target_amount=Decimal("8000")))
    db.session.commit()

    add_member(household, "editor", name="Ana Beatriz Albuquerque de Oliveira Vasconcelos")
    add_member(household, "viewer", name="Vó " + UNBROKEN)
    return user
