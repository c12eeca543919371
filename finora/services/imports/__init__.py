"""Bringing a household's history in (CSV, XLSX, OFX, QIF, CAMT, MT940): empty until the
import issue fills it. Not here: the rules CSV (planning/), which predates it.
"""
