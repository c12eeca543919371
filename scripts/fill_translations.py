"""Fill empty entries of the pt/es catalogues from JSON files, and en with the msgid itself.

Usage (after `make translations` has extracted and merged new strings):

    .venv/bin/python scripts/fill_translations.py NEW.json [MORE.json ...]
    make compile-translations

Each JSON file maps a msgid to its translations:
    {"Save": {"pt": "Salvar", "es": "Guardar"},
     "%(num)d rule": {"plural": "%(num)d rules", "pt": ["%(num)d regra", "%(num)d regras"],
                      "es": ["%(num)d regla", "%(num)d reglas"]}}
Entries that already have a translation are left alone unless --overwrite is given. The
messages still missing afterwards are listed, and the exit status is 1 when any are.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent / "translations"
LOCALES = ("pt", "en", "es")


def _missing(message) -> bool:
    if isinstance(message.string, tuple | list):
        return not all(message.string)
    return not message.string


def main(argv: list[str]) -> int:
    overwrite = "--overwrite" in argv
    table: dict[str, dict] = {}
    for name in (a for a in argv if a != "--overwrite"):
        table.update(json.loads(Path(name).read_text(encoding="utf-8")))
    still_missing = 0
    for locale in LOCALES:
        path = ROOT / locale / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for message in catalog:
            if not message.id:
                continue
            plural = isinstance(message.id, tuple | list)
            msgid = message.id[0] if plural else message.id
            if not overwrite and not _missing(message):
                continue
            if locale == "en":
                message.string = tuple(message.id) if plural else message.id
            elif msgid in table and locale in table[msgid]:
                value = table[msgid][locale]
                if plural:
                    forms = list(value) if isinstance(value, list) else [value, value]
                    message.string = tuple(forms[: catalog.num_plurals] + forms[-1:] * (catalog.num_plurals - len(forms)))
                else:
                    message.string = value
            message.flags.discard("fuzzy")
            if _missing(message):
                still_missing += 1
                print(f"{locale}: missing {msgid!r}")
        with path.open("wb") as handle:
            write_po(handle, catalog, width=76, sort_output=True, include_lineno=False)
    return 1 if still_missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
