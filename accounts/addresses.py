"""Whose address a request comes from: the one answer for limits, log-in throttling and logs.

A direct client's address is the connection's (REMOTE_ADDR) and nothing it
sends can change that. Only when the connection comes from a proxy listed in
TRUSTED_PROXIES is X-Forwarded-For read, from the right: each trusted proxy
appends the address it was connected from, so the first hop from the right
that is not a trusted proxy is the client. Hops further left were written by
the client and are never believed. A few lines of our own rather than
django-ipware, whose trusted proxies are string prefixes, not networks.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

# Where REMOTE_ADDR is not an address (a Unix socket): one shared bucket, so
# limits still apply and nothing fails.
UNKNOWN = "0.0.0.0"


def parse_networks(entries):
    """TRUSTED_PROXIES' entries (addresses or CIDRs) as networks; ValueError names a bad one."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an address or a CIDR") from exc
    return tuple(networks)


@lru_cache(maxsize=4)
def _trusted_networks(entries):
    return parse_networks(entries)


def _address(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def is_trusted_proxy(address):
    networks = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    return any(address in network for network in networks)


def client_address(request):
    """The client's address as a string; never one a direct client chose."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return UNKNOWN
    nearest = peer
    if is_trusted_proxy(peer):
        for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            address = _address(hop)
            if address is None:
                # Trusted proxies write addresses; this was written by the client.
                break
            nearest = address
            if not is_trusted_proxy(address):
                break
    return str(nearest)
