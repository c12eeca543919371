"""The time zones each country uses, from the IANA database's zone.tab (shipped in tzdata):
one canonical zone per place, so the list names no city twice (no legacy aliases)."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files


@lru_cache(maxsize=1)
def zones_by_country() -> dict[str, tuple[str, ...]]:
    """ISO 3166 alpha-2 code -> its zones, in zone.tab's order (roughly east to west)."""
    table = (files("tzdata.zoneinfo") / "zone.tab").read_text(encoding="utf-8")
    zones: dict[str, list[str]] = {}
    for line in table.splitlines():
        if not line or line.startswith("#"):
            continue
        country, _coordinates, zone, *_comment = line.split("\t")
        zones.setdefault(country, []).append(zone)
    return {country: tuple(names) for country, names in zones.items()}
