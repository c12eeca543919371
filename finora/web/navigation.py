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


def url_with(**changes) -> str:
    """The current page's URL with some query arguments changed (None removes one).

    Changing anything but the page sends the user back to page 1.
    """
    from flask import request

    args = {key: value for key, value in request.args.items() if value not in ("", None)}
    if "page" not in changes:
        args.pop("page", None)
    for key, value in changes.items():
        if value in (None, ""):
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)
