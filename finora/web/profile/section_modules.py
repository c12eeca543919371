"""Imports every profile section module so each registers itself. Add new ones here."""

import importlib
import pkgutil

import finora.web.profile as _package

# Every module of this package whose name starts with "section_" except this one.
for _info in pkgutil.iter_modules(_package.__path__):
    if _info.name.startswith("section_") and _info.name != "section_modules":
        importlib.import_module(f"{_package.__name__}.{_info.name}")
