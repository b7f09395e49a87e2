"""The private-address rule: which hosts the fetcher may connect to.

Contract: hosts on private, loopback or link-local addresses are refused, unless the caller
allows them by (host, port) — the runner passes the hosts named in sources.toml when
`--allow-private-hosts` is given. A redirect or link to any other such address is refused before
a request is sent. The host is resolved here (literal IPs are checked as they are); a name that
resolves to several addresses is refused if any of them is not public.

With a PinnedAddresses (scraper.pinning), the address approved here is recorded and the crawl's
connections go to it, so a DNS answer that changes between the check and the connect (DNS
rebinding) cannot redirect a request to a private address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable

from scraper.errors import FetchError, RefusedAddress
from scraper.pinning import PinnedAddresses
from scraper.urls import host_port

log = logging.getLogger(__name__)

Resolver = Callable[[str, int], Awaitable[list[str]]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


async def resolve_host(host: str, port: int) -> list[str]:
    """All addresses a host name resolves to (the system resolver, off the event loop)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def non_public_reason(ip: IPAddress) -> str | None:
    """Why an address may not be fetched ("loopback", "private", ...), or None if it is public."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return non_public_reason(ip.ipv4_mapped)
    checks = (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("unspecified", ip.is_unspecified),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
    )
    for name, hit in checks:
        if hit:
            return name
    if not ip.is_global:  # shared address space (100.64/10) and the like
        return "not global"
    return None


def _literal_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


class AddressGuard:
    """Checks every URL the fetcher is about to request against the private-address rule."""

    def __init__(
        self,
        allowed: frozenset[tuple[str, int]] = frozenset(),
        resolver: Resolver = resolve_host,
        pins: PinnedAddresses | None = None,
    ) -> None:
        self._allowed = frozenset((host.lower(), port) for host, port in allowed)
        self._resolver = resolver
        self._pins = pins  # where the approved address of each resolved host is recorded
        self._verdicts: dict[tuple[str, int], str | None] = {}

    async def check(self, url: str) -> None:
        """Raise RefusedAddress if the URL's host is not public and not explicitly allowed."""
        host, port = host_port(url)
        if not host:
            raise RefusedAddress(url, "no host")
        if (host, port) in self._allowed:
            return
        key = (host, port)
        if key not in self._verdicts:
            self._verdicts[key] = await self._reason(url, host, port)
        reason = self._verdicts[key]
        if reason is not None:
            raise RefusedAddress(url, reason)

    async def _reason(self, url: str, host: str, port: int) -> str | None:
        literal = _literal_ip(host)
        if literal is not None:
            why = non_public_reason(literal)
            return f"{why} address {literal}" if why else None
        try:
            addresses = await self._resolver(host, port)
        except OSError as e:
            raise FetchError(url, f"cannot resolve host {host} ({e})") from e
        if not addresses:
            raise FetchError(url, f"cannot resolve host {host}")
        for address in addresses:
            ip = _literal_ip(address.split("%", 1)[0])
            if ip is None:
                return f"unparsable address {address}"
            why = non_public_reason(ip)
            if why:
                log.debug("refusing %s: %s resolves to %s (%s)", url, host, ip, why)
                return f"{host} resolves to {why} address {ip}"
        if self._pins is not None:  # connect to what was checked (IPv4 first: IPv6 may not be routed)
            v4 = [a for a in addresses if ":" not in a]
            self._pins.pin(host, port, (v4 or addresses)[0])
        return None
