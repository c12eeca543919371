"""The forecast engine gives exactly the output it gave before it was made faster.

The golden digests below were captured from the engine as it was at commit 303674c (before
the speed work of issue 20, item 2) over generated inputs: every frequency and business-day
policy, four calendars, anchors long ago and in the horizon (month ends, Feb 29), ends,
holds, skips on and off the schedule, posted occurrences (also of unknown rules), what-if
scenarios, unpaid entries (overdue, today, past the horizon), minimums, horizons from 1 to
730 days, dates near the 1900 and 2199 edges of the date window, duplicate names, rules
without an id and amounts of every exponent (cents, whole units, 1E+2, tenths of a cent,
zero and negative). A digest covers the whole `Forecast`: every occurrence field, every
balance of both lines as its exact Decimal text (so 1.5 and 1.50 differ), the lows, the
first days below zero and below the minimum and the 90-day expenses. The same for
`recurrence.occurrences()`, the posting path, over the same rules.

`fingerprint` prints the output it hashes, so a failing case can be compared by hand with
the engine at 303674c (`git worktree add /tmp/old 303674c`).
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from finora.business_days import BusinessCalendar
from finora.forecast.projection import (
    Forecast,
    ForecastInput,
    ForecastRule,
    PendingEntry,
    project,
)
from finora.forecast.recurrence import FREQUENCIES, RuleSpec, nominal_dates_between, occurrences
from tests.bench.engine import generate

COUNTRIES = (None, "BR", "US", "GB")
POLICIES = ("none", "previous", "next")
AMOUNT_SHAPES = ("0.01", "1", "1E+2", "0.001", "0.1")


def case(seed: int) -> ForecastInput:
    """A generated input, the same for the same seed."""
    rng = random.Random(seed)
    if seed % 11 == 3:  # near the first date of the window
        today = date(1900, 1, 1) + timedelta(days=rng.randint(0, 40))
    elif seed % 11 == 4:  # near the last
        today = date(2199, 12, 31) - timedelta(days=rng.randint(0, 40))
    else:
        today = date(2020, 1, 1) + timedelta(days=rng.randint(0, 3000))
        if rng.random() < 0.2:  # a month end
            today = date(today.year, today.month, 1) - timedelta(days=1)
    horizon = rng.choice((1, 2, 31, 90, 91, 365, 366, 400, 730, rng.randint(1, 730)))
    last = today + timedelta(days=horizon - 1)
    country = COUNTRIES[seed % len(COUNTRIES)]
    count = rng.choice((0, 3, 12, 40, 80, 150))
    exotic = seed % 5 == 0  # amounts of every exponent, zero and negative ones
    names = [f"rule {n:02d}" for n in range(max(1, count // 3))]  # duplicate names
    rules: list[ForecastRule] = []
    posted: set[tuple[int, date]] = set()
    for index in range(1, count + 1):
        frequency = rng.choice(FREQUENCIES)
        if frequency == "once" or rng.random() < 0.3:
            anchor = today + timedelta(days=rng.randint(-60, horizon + 30))
        else:
            anchor = today + timedelta(days=rng.randint(-2000, 10))
        if rng.random() < 0.25:  # the 28th to the 31st, or Feb 29
            if rng.random() < 0.2:
                year = anchor.year - anchor.year % 4 or 4
                year = year if year % 100 or year % 400 == 0 else year - 4
                anchor = date(year, 2, 29)
            else:
                anchor = date(anchor.year, anchor.month, 1) - timedelta(days=rng.randint(1, 4))
        end = None
        if rng.random() < 0.2:
            end = today + timedelta(days=rng.randint(-30, horizon + 30))
        hold = None
        if rng.random() < 0.15:
            hold = today + timedelta(days=rng.randint(-30, horizon))
        rule_id: int | None = None if rng.random() < 0.05 else index
        spec = RuleSpec(
            frequency=frequency,
            anchor=anchor,
            end=end,
            policy=rng.choice(POLICIES),
            hold_until=hold,
            rule_id=rule_id,
        )
        upcoming = nominal_dates_between(spec, today - timedelta(days=10), last + timedelta(days=10))
        skips: set[date] = set()
        if upcoming and rng.random() < 0.3:
            skips.update(rng.sample(upcoming, min(len(upcoming), rng.randint(1, 4))))
        if rng.random() < 0.1:  # a skip that is not on the schedule
            skips.add(today + timedelta(days=rng.randint(-5, horizon)))
        if skips:
            spec = RuleSpec(**{**spec.__dict__, "skips": frozenset(skips)})
        if upcoming and rng.random() < 0.3:
            posted.update((rule_id or 0, day) for day in rng.sample(upcoming, min(3, len(upcoming))))
        if exotic and rng.random() < 0.3:
            shape = rng.choice(AMOUNT_SHAPES)
            amount = Decimal(rng.choice((rng.randint(1, 5000), 0, -rng.randint(1, 500)))) * Decimal(shape)
        else:
            amount = Decimal(rng.randint(1, 500_000)).scaleb(-2)
        rules.append(
            ForecastRule(
                name=rng.choice(names) if rng.random() < 0.3 else f"{rng.random():.6f}",
                kind=rng.choice(("income", "expense")),
                amount=amount,
                spec=spec,
                scenario=rng.random() < 0.1,
            )
        )
    if rng.random() < 0.3:  # posted occurrences of rules not in the input
        posted.add((10_000 + seed, today))
    pending = [
        PendingEntry(
            date=today + timedelta(days=rng.randint(-60, horizon + 20)),
            kind=rng.choice(("income", "expense")),
            amount=Decimal(rng.randint(0, 90_000)).scaleb(-rng.choice((2, 2, 2, 0, 3)) if exotic else -2),
        )
        for _ in range(rng.choice((0, 0, 1, 5, 30)))
    ]
    balance = Decimal(rng.randint(-100_000, 2_000_000)).scaleb(-2)
    if exotic and rng.random() < 0.5:
        balance = Decimal(rng.choice(("0", "-0.00", "1E+3", "12.3", "5.005", "0.00")))
    minimum = rng.choice((None, None, Decimal("0.00"), Decimal(rng.randint(0, 900_000)).scaleb(-2)))
    return ForecastInput(
        rules=rules,
        starting_balance=balance,
        today=today,
        horizon_days=horizon,
        calendar=BusinessCalendar(country),
        pending=pending,
        posted=frozenset(posted),
        minimum_safe_balance=minimum,
    )


def _text(value: object) -> object:
    """Exact text of a value: Decimals keep their exponent and sign (`repr`)."""
    if isinstance(value, Decimal):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_text(item) for item in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    raise TypeError(f"unexpected value in a forecast: {value!r}")


def fingerprint(forecast: Forecast) -> str:
    """Every field of the forecast as canonical JSON text."""
    fields = {
        name: _text(getattr(forecast, name))
        for name in (
            "today",
            "horizon_days",
            "starting_balance",
            "schedule",
            "scenario_line",
            "lowest_90",
            "lowest_horizon",
            "first_below_zero",
            "first_below_minimum",
            "projected_expenses_90",
            "scenario_lowest_90",
            "scenario_lowest_horizon",
            "scenario_first_below_zero",
            "scenario_first_below_minimum",
        )
    }
    fields["occurrences"] = [
        [
            _text(o.date),
            o.rule_id,
            o.name,
            o.kind,
            _text(o.amount),
            o.scenario,
            o.nominal_ordinal,
            _text(o.nominal),
            type(o.amount).__name__,
        ]
        for o in forecast.occurrences
    ]
    return json.dumps(fields, sort_keys=True)


def occurrences_fingerprint(data: ForecastInput) -> str:
    """Every rule's `occurrences()` over the horizon and over a window a week either side."""
    last = data.today + timedelta(days=data.horizon_days - 1)
    found = []
    for rule in data.rules:
        for start, end in ((data.today, last), (data.today - timedelta(days=7), last + timedelta(days=7))):
            found.append(
                [
                    (o.rule_id, o.nominal.isoformat(), o.date.isoformat())
                    for o in occurrences(rule.spec, start, end, data.calendar)
                ]
            )
    return json.dumps(found)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


# seed -> (occurrences projected, digest of the forecast, digest of occurrences())
GOLDEN: dict[int, tuple[int, str, str]] = {
    0: (1, 'fbe9b1e530d2a15a8f5d', 'ab24d2902d4bc60521e2'),
    1: (0, '23539734012f9e964d8d', '4f53cda18c2baa0c0354'),
    2: (611, '2de37c3fa732ed751686', '172026b0be483b725bb8'),
    3: (2, '51388149adf14e08cd6a', 'f326fbac73993cbb5c7d'),
    4: (47, '8457b1a483df92504ede', '3e78b56ba779d19f260c'),
    5: (0, 'b77e3a6acae58380ca9b', '4f53cda18c2baa0c0354'),
    6: (0, '6b518d474c4350169ea5', '4f53cda18c2baa0c0354'),
    7: (0, '89de27cd43473d069ff9', '4f53cda18c2baa0c0354'),
    8: (0, '9c23eb4a520a2227140e', '4eceefa0f0e7565299ba'),
    9: (31, 'c3db3982c2bd1e1dc04c', '25914bcbdc80105fe17f'),
    10: (0, '6f79d856415000311b0b', '4f53cda18c2baa0c0354'),
    11: (4208, '4ae8d6edb9f1d342f567', 'b6538a5abcde7ebc427f'),
    12: (21, '05ff7906dac591ecd829', 'b1ac46e98d41a812256e'),
    13: (480, 'ec60525222cf196122b3', '09df939c5264e042a8c7'),
    14: (106, 'f419a3c5719bd216a85e', 'c00ce38d5c2f073362c9'),
    15: (17028, '78e0840a76b87ab51ca1', 'b83440e11fa42ca229b1'),
    16: (58, 'e76dd74f53e93246c54b', '5e4f3d75e391e6207b21'),
    17: (863, '155ddb583041411512e3', 'c933071e407e6b52169d'),
    18: (731, 'e323c55fa188cd5f195c', '459d2da894433b769363'),
    19: (5, '72bf164f606039c3a4af', '3e35d4c83c413b89bd6d'),
    20: (2268, 'cb2f6cf37c66dec82e06', 'd730cd9b60c564879693'),
    21: (568, 'f69b122ac8d680409c16', 'b75720e5aa4905712839'),
    22: (29, 'df4eeaa6cb88e609645e', '00f9d6aa4781c9980927'),
    23: (4, '1805969fbb5ec751b185', '204cd8f89c311c298d7e'),
    24: (13, '49caa6add4e94cc52b41', '08da0e9485e6eaefee76'),
    25: (99, 'f5a3e285e7dbc0c7d3f6', '03a1c982e2e67ce30916'),
    26: (714, 'bad444bd7b200244945c', 'f89af492448191d45c7b'),
    27: (7, '8da92b4450137334f21d', 'e8b8d49848e224a5b245'),
    28: (12619, '5a94c9489fc35ca679f1', '1cf43d572689c2c57e23'),
    29: (472, '0cdba5c3b263d6e76b76', '9e4b949d0efefc13b159'),
    30: (5, '708131ec277bda22c858', 'e98856d8655b0f3da838'),
    31: (540, 'e6a048360c4cb0d91139', '131603141ed51f3045c1'),
    32: (1301, '5fec5ec8781740ff91f5', 'efd76f11049f2741a34b'),
    33: (463, 'c4a1348b0cc15153b1e2', '0ce6346cbc994b8628a6'),
    34: (0, '67a6ffde7b9b47d0f6cd', '4f53cda18c2baa0c0354'),
    35: (80, 'ebeeb7cca28582c44380', 'a930f30828f9f6e5418a'),
    36: (0, 'e2d31e9431148e4edd5b', '28cea749c9d5f3001123'),
    37: (1871, 'c9e3bec0e6e1ce5768a8', '77c4ed259893a8dc0510'),
    38: (1, '9868127be9f69855839e', 'ca61c4c2836d31c7f5f3'),
    39: (17, '9e8898f1b89b7e752714', '47f0ec3dfacbf424b9e0'),
    40: (1, '71ab04f6a511aa734825', '2864dfa79bed5713581c'),
    41: (4522, 'ab9f088dd52c43f8ea62', 'fb109d53b18c8b88e1c9'),
    42: (89, '2ef1d1cb89da203105b1', 'e31c19c1934c9984a1b1'),
    43: (928, 'b376ce174d53c69c214e', '7964695a44201762f410'),
    44: (0, '86c05e026b9a6b65c2e3', '22f97cfcb045c590cae2'),
    45: (2, 'ca1df75881c2cf92a2f3', '26c16e8f90bf36a4908a'),
    46: (44, '6d03947f015182218288', 'c611529fe9b998001f99'),
    47: (5498, 'e258b456e42c15484040', '358db38aa2f2104592b1'),
    48: (303, '60499e86f7deaf4a937f', '5a88b75617c9836cbd30'),
    49: (3789, '60bd9acc97ce746a8faa', '31e9551c5a6548bdfbb4'),
    50: (1794, '2f9366d48c924bd1ee62', '96fb254ae422b0b44fe8'),
    51: (0, '98c904d19f7a11ef6bf7', '4eceefa0f0e7565299ba'),
    52: (111, '3ec36fc6c852c27195a4', '9235dfcce3e3385f2032'),
    53: (4852, '836eed6bcca84a04e61f', '35026e520cabd0759f20'),
    54: (1431, 'cce8145fa1fc5756bead', '7a28a1d47460c7020532'),
    55: (609, '2224fef2199b5b37183b', '9aa9cf14cafa9d0ef7a9'),
    56: (689, '88176c81752457f9234c', '8b4770e57bc690d60f72'),
    57: (1, '0da9b515e31c48921035', 'b2c19eea2379f23cce4e'),
    58: (1828, '0d5bb12c6f075afa0d4c', '4ceb108be581cd34dd8f'),
    59: (0, 'a5d33b93a21d2ea7d96b', '4f53cda18c2baa0c0354'),
    60: (89, '18ddd2f868e28190a6ba', '477e52518c204cd6cec4'),
    61: (605, '2a3b3687c01231efce02', 'cddd68cb46bfdff3946b'),
    62: (490, 'b75583f7fc8772110228', '747953db09a23e75edd4'),
    63: (10212, 'd9f9da871a537604ad85', 'ef7493e62ccf83c43a1c'),
    64: (3888, '1809587dbe79ad3268cf', 'cedda79c43cacc252136'),
    65: (336, '9bf1b1fe45637a85a9c9', '968a754441ad5a9ebb6c'),
    66: (160, '01da99e53827a0a02470', '5e13271f6c6ee93a6218'),
    67: (2669, '2c7670fea50a0ee20221', '2f43ab4486de6c594f81'),
    68: (16, 'ecb6ebaadd5d2768c968', 'ae7a8d1d688147351496'),
    69: (0, 'd51e1bd6fd4119d75691', '4f53cda18c2baa0c0354'),
    70: (2221, 'd179e5233071383223b7', 'fffb1d7971049f2828b5'),
    71: (1, '0e85e9f9febe3f12f07d', 'c67a017afaab925f4a1b'),
    72: (7605, '8ac2842206a04727cb14', '4d2dce4576d1307d36bf'),
    73: (35, '11b1d3919680cb559118', '4c8349d456c0fa22d0d2'),
    74: (0, 'e31cb7e27a641fd0d6d4', '4f53cda18c2baa0c0354'),
    75: (37, '6d9f6d5e32306e384869', '5baa1752ff8e07aff511'),
    76: (155, '69719f5ed017634ec019', '911c10fca3c1cbdcc332'),
    77: (0, 'b1a05818ec03c992968c', '4f53cda18c2baa0c0354'),
    78: (1895, '90e197b1568be544c260', '3c44901f4c8bfb834e21'),
    79: (50, '21e930ef04d6ebf0bf60', '5c79d183ecc87e08ab7f'),
}
# the engine bench's inputs: rules -> (occurrences, digest of the forecast)
GOLDEN_BENCH: dict[int, tuple[int, str]] = {
    500: (8176, 'b8d8d9e8e7f4f22eede4'),
    2000: (33324, '9a70cafdf0295c8614e0'),
}


@pytest.mark.parametrize("seed", sorted(GOLDEN))
def test_forecast_matches_the_engine_before_the_speed_work(seed):
    data = case(seed)
    forecast = project(data)
    count, forecast_digest, occurrences_digest = GOLDEN[seed]
    assert len(forecast.occurrences) == count
    assert digest(fingerprint(forecast)) == forecast_digest
    assert digest(occurrences_fingerprint(data)) == occurrences_digest


@pytest.mark.parametrize("rules", sorted(GOLDEN_BENCH))
def test_bench_inputs_match_the_engine_before_the_speed_work(rules):
    forecast = project(generate(rules))
    count, forecast_digest = GOLDEN_BENCH[rules]
    assert len(forecast.occurrences) == count
    assert digest(fingerprint(forecast)) == forecast_digest


def test_the_golden_cases_cover_what_the_engine_supports():
    """The generated cases do reach every feature the digests are meant to pin."""
    inputs = [case(seed) for seed in sorted(GOLDEN)]
    rules = [rule for data in inputs for rule in data.rules]
    assert {rule.spec.frequency for rule in rules} == set(FREQUENCIES)
    assert {rule.spec.policy for rule in rules} == set(POLICIES)
    assert {data.calendar.country for data in inputs} == set(COUNTRIES)
    assert any(rule.spec.skips for rule in rules)
    assert any(rule.spec.hold_until for rule in rules)
    assert any(rule.spec.end for rule in rules)
    assert any(rule.spec.rule_id is None for rule in rules)
    assert any(rule.scenario for rule in rules)
    assert any(data.posted for data in inputs)
    assert any(data.pending for data in inputs)
    assert any(data.minimum_safe_balance is not None for data in inputs)
    assert {data.horizon_days for data in inputs} >= {1, 730}
    assert any(data.today.year == 1900 for data in inputs)
    assert any(data.today.year == 2199 for data in inputs)
    assert any(rule.amount.as_tuple().exponent not in (-2,) for rule in rules)
    assert any(rule.amount < 0 for rule in rules)
    assert any(rule.spec.anchor.day == 29 and rule.spec.anchor.month == 2 for rule in rules)
    assert sum(len(project(data).occurrences) for data in inputs) > 10_000
