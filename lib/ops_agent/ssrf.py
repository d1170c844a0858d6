"""Outbound URL checks: the agent does not call private, loopback, link-local or cloud
metadata addresses unless the operator allowlisted the host (NOTIFY_ALLOWED_HOSTS for
notifications, MONITOR_ALLOWED_HOSTS for health checks)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from ops_agent.errors import Unprocessable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata services that are not all inside the ranges below.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "192.0.0.192")
)


# Providers' own API hosts: public by construction, so no DNS lookup is spent on them.
PROVIDER_HOSTS = frozenset(
    {
        "hooks.slack.com",
        "send.api.mailtrap.io",
        "bulk.api.mailtrap.io",
        "sandbox.api.mailtrap.io",
    }
)


class UnsafeURL(Unprocessable):
    """The URL is malformed, not http(s), or points at an address the agent must not call."""

    error_code = "unsafe_url"


class Unresolvable(UnsafeURL):
    """The URL's host name does not resolve (a DNS failure): nothing could be checked."""

    error_code = "unresolvable_host"


def parse_allowlist(
    value: str | Iterable[str],
) -> tuple[frozenset[str], tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]]:
    """Hosts (lower-cased) and networks from `a.example,127.0.0.1,10.0.0.0/8`."""
    items = value.split(",") if isinstance(value, str) else list(value)
    hosts: set[str] = set()
    networks = []
    for item in (i.strip().lower() for i in items):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            hosts.add(item)
    return frozenset(hosts), tuple(networks)


def forbidden_reason(address: IPAddress) -> str | None:
    """Why the agent must not call `address`, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return forbidden_reason(address.ipv4_mapped)
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    for test, reason in (
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_private, "a private address"),
        (address.is_multicast, "a multicast address"),
        (address.is_reserved, "a reserved address"),
        (address.is_unspecified, "an unspecified address"),
    ):
        if test:
            return reason
    if isinstance(address, ipaddress.IPv4Address) and address in ipaddress.ip_network(
        "100.64.0.0/10"
    ):
        return "a carrier-grade NAT address"
    return None


def url_shape_problem(url: str) -> str | None:
    """Why `url` cannot be called whatever its host resolves to (not a URL, not http(s), no
    host, credentials in it), or None. Pure: no lookup."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # raises ValueError for a port that is no number or out of range
    except ValueError as exc:
        return f"not a valid URL: {exc}"
    if parts.scheme not in ("https", "http") or not host:
        return "only http(s) URLs with a host can be called"
    if parts.username or parts.password:
        return "URLs with credentials in them are refused"
    return None


def http_url(value: str) -> str:
    """`value` if it is a URL that could be called (see `url_shape_problem`); ValueError
    saying why not otherwise. For a model's field: bad input is refused where it comes in."""
    problem = url_shape_problem(value)
    if problem is not None:
        raise ValueError(f"{problem}: {value[:80]!r}")
    return value


class URLGuard:
    """Checks outbound URLs against SSRF, resolving host names the way the request will."""

    def __init__(
        self, allowed: str | Iterable[str] = "", *, setting: str = "NOTIFY_ALLOWED_HOSTS"
    ) -> None:
        self._hosts, self._networks = parse_allowlist(allowed)
        self._setting = setting

    def _allowed(self, host: str, address: IPAddress | None = None) -> bool:
        if host in self._hosts or (address is not None and str(address) in self._hosts):
            return True
        return address is not None and any(address in net for net in self._networks)

    async def check(self, url: str, *, unresolved_ok: bool = False) -> None:
        """Raise UnsafeURL unless `url` may be called: `Unresolvable` when its host does not
        resolve, unless `unresolved_ok` (declaring a URL whose name is not published yet)."""
        problem = url_shape_problem(url)
        if problem is not None:
            raise UnsafeURL(problem)
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if self._allowed(host) or (parts.scheme == "https" and host in PROVIDER_HOSTS):
            return
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [literal]
        else:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(
                    host, port, type=socket.SOCK_STREAM
                )
            except OSError as exc:
                if unresolved_ok:
                    return
                raise Unresolvable(f"DNS lookup failed for {host}: {exc.strerror or exc}") from None
            addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
        for address in addresses:
            if self._allowed(host, address):
                continue
            reason = forbidden_reason(address)
            if reason:
                raise UnsafeURL(
                    f"{host} resolves to {address}, {reason}; add it to {self._setting} to allow it"
                )
