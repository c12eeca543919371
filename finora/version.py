"""The running version of Finora (kept in step with updates/manifest.json)."""

__version__ = "0.2.0"
