"""Which reverse proxies may tell the gateway a visitor's address (``GATEWAY_TRUSTED_PROXIES``).

uvicorn is started with ``--no-proxy-headers`` everywhere (deploy/runner.py, the image, the
manifests): the gateway alone reads X-Forwarded-For, and only from a configured proxy.
"""

from __future__ import annotations

import ipaddress

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: list[str]) -> list[Network]:
    """Addresses or networks (``10.0.0.0/8``); a bare address is a network of one."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/8)") from None
    return networks


class TrustedProxies:
    def __init__(self, networks: list[Network]):
        self._networks = tuple(networks)

    def trusts(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._networks)

    def client_of(self, peer: str, forwarded_for: list[str]) -> str:
        """The visitor's address: the peer itself unless it is a trusted proxy; then the right-most
        forwarded address that is not a trusted proxy (those to its left are what the visitor wrote)."""
        if not self.trusts(peer):
            return peer
        for address in reversed(forwarded_for):
            if address and not self.trusts(address):
                return address
        return peer


NO_PROXIES = TrustedProxies([])
