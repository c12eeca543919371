"""Content Security Policy with a per-request nonce, and the usual security headers."""

from __future__ import annotations

import secrets

from flask import Flask, g, request
from flask_login import current_user

# Endpoints of files that are the same for everyone and may be cached.
_STATIC_BLUEPRINTS = frozenset({"assets"})
# Pages that carry credentials or one-time links even for visitors who are not signed in.
_PRIVATE_BLUEPRINTS = frozenset({"auth"})
# The installable app's shell holds nothing of anyone's: it keeps its own caching headers
# (the worker must be re-checked on every visit: no-cache, set by its view).
_SHELL_ENDPOINTS = frozenset({"pwa.service_worker", "pwa.manifest"})


def csp_nonce() -> str:
    if not hasattr(g, "csp_nonce"):
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def _policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _is_static() -> bool:
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static") or (
        request.blueprint in _STATIC_BLUEPRINTS
    )


def _is_private() -> bool:
    """A signed-in user's response, or an auth page: browsers and proxies must not keep it."""
    if _is_static() or request.endpoint in _SHELL_ENDPOINTS:
        return False
    return request.blueprint in _PRIVATE_BLUEPRINTS or current_user.is_authenticated


def init_security_headers(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers["Content-Security-Policy"] = _policy(csp_nonce())
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        # request.is_secure honours X-Forwarded-Proto from TRUSTED_PROXIES (ProxyFix).
        if app.config.get("SESSION_COOKIE_SECURE") or request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if _is_private():
            headers["Cache-Control"] = "no-store"
        return response
