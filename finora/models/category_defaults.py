"""The default category tree every new household gets: stable codes, translated labels
(and the label of a seeded category, which `Category.label` shows)."""

from __future__ import annotations

from functools import cache

from finora.translation import lazy_gettext as _l

# (code, label, [(code, label), ...]) per kind. Codes never change once released: entries,
# budgets and imports refer to them; labels are translated in the catalogues.
INCOME = [
    ("income.work", _l("Work"), [
        ("income.work.salary", _l("Salary")),
        ("income.work.freelance", _l("Freelance")),
        ("income.work.bonus", _l("Bonus")),
        ("income.work.commissions", _l("Commissions")),
        ("income.work.thirteenth", _l("Thirteenth salary")),
        ("income.work.vacation_pay", _l("Vacation pay")),
    ]),
    ("income.investments", _l("Investment income"), [
        ("income.investments.interest", _l("Interest")),
        ("income.investments.dividends", _l("Dividends")),
        ("income.investments.capital_gains", _l("Capital gains")),
    ]),
    ("income.rent", _l("Rent received"), [
        ("income.rent.property", _l("Property rent")),
    ]),
    ("income.sales", _l("Sales"), [
        ("income.sales.used_items", _l("Used items")),
        ("income.sales.products", _l("Products and crafts")),
    ]),
    ("income.other", _l("Other income"), [
        ("income.other.refunds", _l("Refunds")),
        ("income.other.gifts", _l("Gifts received")),
        ("income.other.benefits", _l("Government benefits")),
        ("income.other.misc", _l("Miscellaneous income")),
    ]),
]

EXPENSE = [
    ("expense.housing", _l("Housing"), [
        ("expense.housing.rent", _l("Rent")),
        ("expense.housing.mortgage", _l("Mortgage")),
        ("expense.housing.condo_fees", _l("Condominium fees")),
        ("expense.housing.property_tax", _l("Property tax")),
        ("expense.housing.maintenance", _l("Repairs and maintenance")),
        ("expense.housing.furniture", _l("Furniture and appliances")),
        ("expense.housing.cleaning", _l("Cleaning and housekeeping")),
    ]),
    ("expense.utilities", _l("Utilities"), [
        ("expense.utilities.electricity", _l("Electricity")),
        ("expense.utilities.water", _l("Water and sewage")),
        ("expense.utilities.gas", _l("Gas")),
        ("expense.utilities.waste", _l("Waste collection")),
    ]),
    ("expense.telecom", _l("Telecom"), [
        ("expense.telecom.internet", _l("Internet")),
        ("expense.telecom.mobile", _l("Mobile phone")),
        ("expense.telecom.landline", _l("Landline")),
        ("expense.telecom.tv", _l("TV and streaming")),
    ]),
    ("expense.food", _l("Food"), [
        ("expense.food.groceries", _l("Groceries")),
        ("expense.food.restaurants", _l("Restaurants")),
        ("expense.food.delivery", _l("Food delivery")),
        ("expense.food.bakery", _l("Bakery and snacks")),
        ("expense.food.work_meals", _l("Meals at work")),
    ]),
    ("expense.transport", _l("Transport"), [
        ("expense.transport.fuel", _l("Fuel")),
        ("expense.transport.public", _l("Public transport")),
        ("expense.transport.rides", _l("Taxi and ride-hailing")),
        ("expense.transport.parking", _l("Parking and tolls")),
        ("expense.transport.maintenance", _l("Vehicle maintenance")),
        ("expense.transport.vehicle_tax", _l("Vehicle tax and licensing")),
        ("expense.transport.vehicle_payment", _l("Vehicle payment")),
    ]),
    ("expense.health", _l("Health"), [
        ("expense.health.insurance", _l("Health insurance")),
        ("expense.health.pharmacy", _l("Pharmacy")),
        ("expense.health.doctors", _l("Doctors and therapy")),
        ("expense.health.dentist", _l("Dentist")),
        ("expense.health.exams", _l("Medical tests")),
        ("expense.health.fitness", _l("Gym and sports")),
    ]),
    ("expense.education", _l("Education"), [
        ("expense.education.school", _l("School fees")),
        ("expense.education.university", _l("University")),
        ("expense.education.courses", _l("Courses")),
        ("expense.education.books", _l("Books and supplies")),
    ]),
    ("expense.leisure", _l("Leisure"), [
        ("expense.leisure.travel", _l("Travel")),
        ("expense.leisure.outings", _l("Outings and events")),
        ("expense.leisure.subscriptions", _l("Subscriptions")),
        ("expense.leisure.hobbies", _l("Hobbies")),
        ("expense.leisure.games", _l("Games")),
    ]),
    ("expense.shopping", _l("Shopping"), [
        ("expense.shopping.clothing", _l("Clothing and shoes")),
        ("expense.shopping.electronics", _l("Electronics")),
        ("expense.shopping.home", _l("Home goods")),
        ("expense.shopping.gifts", _l("Gifts")),
        ("expense.shopping.online", _l("Online shopping")),
    ]),
    ("expense.bank_fees", _l("Bank fees"), [
        ("expense.bank_fees.account", _l("Account fees")),
        ("expense.bank_fees.card", _l("Card annual fee")),
        ("expense.bank_fees.interest", _l("Interest and late fees")),
        ("expense.bank_fees.iof", _l("Transaction taxes")),
    ]),
    ("expense.loans", _l("Loans"), [
        ("expense.loans.personal", _l("Personal loan")),
        ("expense.loans.student", _l("Student loan")),
        ("expense.loans.overdraft", _l("Overdraft")),
        ("expense.loans.card_installments", _l("Card installments")),
    ]),
    ("expense.taxes", _l("Taxes"), [
        ("expense.taxes.income", _l("Income tax")),
        ("expense.taxes.social_security", _l("Social security")),
        ("expense.taxes.other", _l("Other taxes")),
    ]),
    ("expense.insurance", _l("Insurance"), [
        ("expense.insurance.life", _l("Life insurance")),
        ("expense.insurance.home", _l("Home insurance")),
        ("expense.insurance.vehicle", _l("Vehicle insurance")),
        ("expense.insurance.travel", _l("Travel insurance")),
    ]),
    ("expense.investments", _l("Investments"), [
        ("expense.investments.savings", _l("Savings deposits")),
        ("expense.investments.retirement", _l("Retirement plan")),
        ("expense.investments.stocks", _l("Stocks and funds")),
    ]),
    ("expense.personal", _l("Personal and family"), [
        ("expense.personal.care", _l("Personal care")),
        ("expense.personal.children", _l("Children")),
        ("expense.personal.pets", _l("Pets")),
        ("expense.personal.donations", _l("Donations")),
        ("expense.personal.allowance", _l("Allowances")),
        ("expense.personal.domestic_help", _l("Domestic help")),
    ]),
    ("expense.other", _l("Other expenses"), [
        ("expense.other.fees", _l("Fees and services")),
        ("expense.other.fines", _l("Fines")),
        ("expense.other.misc", _l("Miscellaneous")),
    ]),
]


@cache
def _labels() -> dict:
    labels = {}
    for code, label, children in INCOME + EXPENSE:
        labels[code] = label
        labels.update(dict(children))
    return labels


def default_label(code: str | None) -> str:
    """A seeded category's name in the current language (its code if unknown)."""
    label = _labels().get(code or "")
    return str(label) if label is not None else (code or "")
