"""Reverse proxies: X-Forwarded-* counts only on connections from the proxies named in
FORWARDED_ALLOW_IPS, the same list gunicorn applies to X-Forwarded-Proto."""

from __future__ import annotations

import ipaddress

from werkzeug.middleware.proxy_fix import ProxyFix

from config import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def allowed_networks(value: str) -> list[Network] | None:
    """The networks of a comma-separated list of addresses and networks; None for "*"
    (any peer). Raises ConfigError on anything else, as gunicorn refuses it too."""
    items = [item.strip() for item in value.split(",") if item.strip()]
    if "*" in items:
        return None
    try:
        return [ipaddress.ip_network(item) for item in items]
    except ValueError as exc:
        raise ConfigError(
            f"FORWARDED_ALLOW_IPS must list IP addresses or networks (or *); {exc}."
        ) from exc


class TrustedProxies:
    """WSGI middleware: ProxyFix for `hops` proxies, applied only when the connection
    comes from an allowed proxy. From any other peer a forged X-Forwarded-For, -Proto or
    -Host changes nothing: the address Finora sees is the peer's own."""

    def __init__(self, wsgi_app, hops: int, allowed: str) -> None:
        self.networks = allowed_networks(allowed)
        self.direct = wsgi_app
        self.proxied = ProxyFix(wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    def trusts(self, remote_addr: str | None) -> bool:
        if self.networks is None:
            return True
        try:
            address = ipaddress.ip_address((remote_addr or "").split("%", 1)[0])
        except ValueError:
            # No IP address: a UNIX socket, reachable only through the file system (gunicorn
            # trusts these connections too).
            return True
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self.networks)

    def __call__(self, environ, start_response):
        if self.trusts(environ.get("REMOTE_ADDR")):
            return self.proxied(environ, start_response)
        return self.direct(environ, start_response)
