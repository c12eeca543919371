"""Safe redirects back to where the user came from."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None, fallback_endpoint: str = "public.index") -> str:
    """A same-site path to return to; anything pointing elsewhere falls back."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") and "\\" not in target:
            return target
    return url_for(fallback_endpoint)
