"""The pt, en and es catalogues are complete, not fuzzy and keep every placeholder."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
LOCALES = ("pt", "en", "es")
KEY_UI_STRINGS = ("Sign in", "Sign out", "Create an account", "Dashboard")
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")


@cache
def _read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh)


def _template() -> Catalog:
    return _read(TRANSLATIONS / "messages.pot")


def _catalogue(locale: str) -> Catalog:
    return _read(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po")


def _forms(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _placeholders(texts: tuple[str, ...]) -> set[str]:
    return {match for text in texts for match in PLACEHOLDER.findall(text)}


def _messages(catalogue: Catalog):
    return [message for message in catalogue if message.id]


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_has_every_template_message(locale: str) -> None:
    catalogue = _catalogue(locale)
    missing = [
        message.id
        for message in _messages(_template())
        if catalogue.get(message.id, context=message.context) is None
    ]
    assert not missing, f"{locale}: not in the catalogue: {missing}"


@pytest.mark.parametrize("locale", LOCALES)
def test_no_translation_is_empty(locale: str) -> None:
    empty = [
        message.id
        for message in _messages(_catalogue(locale))
        if not all(form.strip() for form in _forms(message.string) or ("",))
    ]
    assert not empty, f"{locale}: untranslated: {empty}"


@pytest.mark.parametrize("locale", LOCALES)
def test_nothing_is_fuzzy(locale: str) -> None:
    catalogue = _catalogue(locale)
    assert not catalogue.fuzzy, f"{locale}: the header is fuzzy; pybabel compile would skip it"
    fuzzy = [message.id for message in _messages(catalogue) if message.fuzzy]
    assert not fuzzy, f"{locale}: fuzzy: {fuzzy}"


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_are_kept(locale: str) -> None:
    wrong = []
    for message in _messages(_catalogue(locale)):
        expected = _placeholders(_forms(message.id))
        for form in _forms(message.string):
            if _placeholders((form,)) != expected:
                wrong.append((message.id, form))
    assert not wrong, f"{locale}: placeholders differ from the msgid: {wrong}"


@pytest.mark.parametrize("locale", ("pt", "es"))
@pytest.mark.parametrize("msgid", KEY_UI_STRINGS)
def test_key_strings_are_translated(locale: str, msgid: str) -> None:
    message = _catalogue(locale).get(msgid)
    assert message is not None, f"{locale}: {msgid!r} is missing"
    assert message.string and message.string != msgid, f"{locale}: {msgid!r} is still English"
