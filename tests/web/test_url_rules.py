"""url_for's builders, compiled on first use (finora/web/url_rules.py), build every route's
URL exactly as werkzeug's eagerly compiled ones do."""

from __future__ import annotations

from flask import url_for
from werkzeug.routing import IntegerConverter, PathConverter, Rule

from finora.web.url_rules import LazyBuilderRule


def _values(rule: Rule) -> dict:
    values: dict = {}
    for name in rule.arguments - set(rule.defaults or {}):
        converter = rule._converters[name]
        if isinstance(converter, IntegerConverter):
            values[name] = 7
        elif isinstance(converter, PathConverter):
            values[name] = "a b/c.css"
        else:
            values[name] = "x y/é"
    return values


def test_every_route_builds_the_same_url_as_werkzeugs_own_builder(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    assert len(rules) > 200 and all(isinstance(rule, LazyBuilderRule) for rule in rules)
    for rule in rules:
        values = _values(rule)
        for append_unknown, extra in ((False, {}), (True, {"q": "1 2", "next": "/a?b=c"})):
            eager = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            assert rule.build({**values, **extra}, append_unknown) == eager(**values, **extra)


def test_url_for_builds_as_before(app):
    with app.test_request_context():
        assert url_for("static", filename="css/app.css") == "/static/css/app.css"
        assert url_for("auth.login", next="/entries?page=2") == "/login?next=/entries?page%3D2"
        # Twice: the second call uses the builder the first compiled.
        assert url_for("accounts.index", _external=True) == url_for("accounts.index", _external=True)
