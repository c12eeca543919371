"""Safe redirects back to where the user came from."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def safe_path(target: str | None) -> str | None:
    """The target if it is a path on this site, else None (never another site, never
    `javascript:`)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


def safe_next(target: str | None, fallback_endpoint: str = "public.index") -> str:
    """A same-site path to return to; anything pointing elsewhere falls back."""
    return safe_path(target) or url_for(fallback_endpoint)


def url_with(**changes) -> str:
    """The current page's URL with some query arguments changed (None removes one).

    Changing anything but the page sends the user back to page 1.
    """
    from flask import request

    view_args = request.view_args or {}
    # A query argument named like a route argument (?month= on /dashboard/<year>/<month>)
    # would collide with it in url_for: the route's own value wins.
    args = {
        key: value
        for key, value in request.args.items()
        if value not in ("", None) and key not in view_args
    }
    if "page" not in changes:
        args.pop("page", None)
    for key, value in changes.items():
        if value in (None, ""):
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **{**view_args, **args})
