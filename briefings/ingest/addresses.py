"""Where a fetch may lead: no public feed can make the bot fetch inside a private network.

Feed items link to anything, and so do redirects. A page link may reach a private, loopback or
link-local address only when the feed's own address is of that same kind (the demo, the evaluation
and the bench farms serve feeds and pages on loopback), or when the config allows that kind
(`[ingest] allow_private = ["private"]` for an intranet). The check runs on the addresses a host
name resolves to, at every redirect hop, before connecting; an address that is neither public nor
one of the allowed kinds is refused with a reason naming the kind, never connected to.

The connection itself resolves the name again: `GuardedResolver`, the session's resolver, applies
the guard of the fetch in progress (`CURRENT_GUARD`) to that answer too, so a name that answers a
public address to the check and a private one to the connection (DNS rebinding) is refused as well.
"""

from __future__ import annotations

import contextvars
import ipaddress
import socket
from dataclasses import dataclass
from typing import Any

from aiohttp.abc import AbstractResolver
from yarl import URL

PUBLIC = "public"
KINDS = ("private", "loopback", "link-local")  # the kinds a config may allow
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(Exception):
    """A host resolves to an address this fetch may not reach; `reason` says which and why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def kind_of(address: IPAddress) -> str:
    """`public`, `loopback`, `link-local` or `private` (every other non-global address: RFC 1918,
    unique local, carrier-grade NAT, reserved, multicast, unspecified)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_global and not address.is_multicast:
        return PUBLIC
    return "private"


def literal(host: str) -> IPAddress | None:
    """The address when `host` is an IP literal (IPv6 with or without brackets), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


@dataclass(frozen=True)
class AddressGuard:
    """The kinds of address one feed's fetches may reach besides public ones, and the resolver
    that turns host names into addresses (the session's own, so tests stay on loopback)."""

    allowed: frozenset[str]
    resolver: AbstractResolver

    async def addresses(self, host: str, port: int) -> list[IPAddress]:
        if (address := literal(host)) is not None:
            return [address]
        try:
            found = await self.resolver.resolve(host, port, family=socket.AF_UNSPEC)
        except OSError as exc:
            raise AddressRefused(f"cannot resolve {host}: {exc.strerror or exc}") from exc
        return [ipaddress.ip_address(r["host"]) for r in found]

    async def check(self, url: URL) -> None:
        """Raise AddressRefused unless every address `url`'s host resolves to may be reached."""
        host = url.host or ""
        for address in await self.addresses(host, url.port or 0):
            kind = kind_of(address)
            if kind != PUBLIC and kind not in self.allowed:
                raise AddressRefused(f"refused: {host} is a {kind} address ({address}) and the feed is not")


async def guard_for_feed(feed_url: str, resolver: AbstractResolver, allow: frozenset[str]) -> AddressGuard:
    """The guard of one feed: the kinds `allow` names, plus the kind of the feed's own addresses."""
    base = AddressGuard(allow, resolver)
    url = URL(feed_url)
    try:
        own = {kind_of(a) for a in await base.addresses(url.host or "", url.port or 0)}
    except (AddressRefused, ValueError):
        own = set()
    return AddressGuard(frozenset(allow | (own - {PUBLIC})), resolver)


CURRENT_GUARD: contextvars.ContextVar[AddressGuard | None] = contextvars.ContextVar("address_guard", default=None)


class GuardedResolver(AbstractResolver):
    """The session's resolver: `inner`'s answers, refused (as an OSError, a failed connection) when
    the guard of the fetch in progress does not allow one of them."""

    def __init__(self, inner: AbstractResolver) -> None:
        self.inner = inner

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> Any:
        found = await self.inner.resolve(host, port, family)
        guard = CURRENT_GUARD.get()
        if guard is not None:
            for result in found:
                kind = kind_of(ipaddress.ip_address(result["host"]))
                if kind != PUBLIC and kind not in guard.allowed:
                    raise OSError(f"refused: {host} is a {kind} address ({result['host']}) and the feed is not")
        return found

    async def close(self) -> None:
        await self.inner.close()
