"""Who may read /metrics: a process on this machine talking to Finora directly, or a
scraper holding METRICS_TOKEN. Everyone else gets the ordinary 404 page: the endpoint
is not advertised.

"Directly" means the connection's own peer address is loopback and no proxy header came
with it. A reverse proxy on the same machine connects from 127.0.0.1 too, so a request
carrying X-Forwarded-For, Forwarded or X-Real-IP counts as coming from outside — and the
address checked is the socket's, saved by the proxy middleware before it rewrote
REMOTE_ADDR from those headers (finora/proxies.py).
"""

from __future__ import annotations

import hmac
import ipaddress

PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def peer_address(environ: dict) -> str:
    """The socket's peer, before any proxy middleware replaced it."""
    original = environ.get("werkzeug.proxy_fix.orig") or {}
    return original.get("REMOTE_ADDR") or environ.get("REMOTE_ADDR") or ""


def is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:  # a UNIX socket has no address: a proxy may sit behind it
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def direct_local_call(environ: dict) -> bool:
    return is_loopback(peer_address(environ)) and not any(
        environ.get(header) for header in PROXY_HEADERS
    )


def has_token(authorization: str | None, token: str) -> bool:
    """`Authorization: Bearer <token>`, compared in constant time. No token configured:
    nothing matches."""
    if not token or not authorization:
        return False
    scheme, _, offered = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(offered.strip().encode(), token.encode())


def may_read_metrics(environ: dict, authorization: str | None, token: str) -> bool:
    return direct_local_call(environ) or has_token(authorization, token)
