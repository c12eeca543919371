"""URL rules whose url_for builders are compiled when first used.

As a rule is added, werkzeug writes two builder functions for it (Python syntax trees, then
`compile`): about 530 of them and 60 ms of every worker's start, while a worker builds URLs
for a few dozen endpoints — the API's and most POST-only routes are never passed to
url_for. Here each builder is werkzeug's own, compiled on its first call and kept; matching
(the rule's regex) is set up as before. The URLs built are the same, character for
character.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compile_builder = super()._compile_builder
        compiled: list[Callable[..., tuple[str, str]]] = []

        def build(rule: Rule, *args: Any, **kwargs: Any) -> tuple[str, str]:
            if not compiled:  # two threads may both compile: the same function, no harm
                compiled.append(compile_builder(append_unknown))
            return compiled[0](rule, *args, **kwargs)

        return build


def use_lazy_url_builders(app: Flask) -> None:
    """Before any rule is added. Left as werkzeug's when its internals change."""
    if callable(getattr(Rule, "_compile_builder", None)):
        app.url_rule_class = LazyBuilderRule
