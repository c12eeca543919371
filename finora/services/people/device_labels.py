"""A readable "Firefox on Linux" label from a User-Agent header (a small parser, no dependency)."""

from __future__ import annotations

import re

# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\bFirefox/|\bFxiOS/")),
    ("Chrome", re.compile(r"\b(?:Headless)?Chrome/|\bCriOS/|\bChromium/")),
    ("Safari", re.compile(r"\bSafari/")),
)
_SYSTEMS = (
    ("iOS", re.compile(r"\biPhone|\biPad|\biPod")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b|\bX11\b")),
)


def _first(patterns, text: str) -> str | None:
    return next((name for name, pattern in patterns if pattern.search(text)), None)


def browser_and_system(user_agent: str | None) -> tuple[str | None, str | None]:
    """("Firefox", "Linux"); None for a part that cannot be told."""
    text = user_agent or ""
    return _first(_BROWSERS, text), _first(_SYSTEMS, text)


def device_label(user_agent: str | None) -> str:
    """The English label kept with the session: "Firefox on Linux", "Chrome", "Unknown device"."""
    browser, system = browser_and_system(user_agent)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown device"
