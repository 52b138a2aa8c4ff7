"""Where a webhook may be sent, and sending it there.

The host is resolved once and every address it resolves to is checked
(`is_denied`); the connection then goes to one of those checked addresses,
never through a second lookup that a rebinding DNS server could answer
differently. TLS still sends the URL's host as SNI and checks the
certificate against it, and the Host header is the URL's host."""

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Mapping
from urllib.parse import urlsplit

type Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Python's `is_global` follows the IANA special-purpose address registries, but
# its tables differ between patch releases (3.12.1 calls 64:ff9b:1::/48 and
# 3fff::/20 global), and some registry entries are "global" yet no place to
# POST to. These are refused on top of it, whatever the Python version says.
DENIED_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",  # "this network"
        "100.64.0.0/10",  # shared address space (carrier NAT; cloud metadata at 100.100.100.200)
        "192.0.0.0/24",  # IETF protocol assignments, some of them anycast "global"
        "192.0.2.0/24",  # documentation (TEST-NET-1)
        "192.88.99.0/24",  # 6to4 relay anycast
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation (TEST-NET-2)
        "203.0.113.0/24",  # documentation (TEST-NET-3)
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and 255.255.255.255 broadcast
        "::/96",  # unspecified, loopback, deprecated IPv4-compatible
        "::ffff:0:0:0/96",  # IPv4-translated (SIIT)
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/32",  # Teredo: tunnels to an IPv4 address it carries
        "2001:2::/48",  # benchmarking
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4: tunnels to an IPv4 address it carries
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing (SRv6) SIDs
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local, deprecated
        "ff00::/8",  # multicast
    )
)
# Addresses that stand for an IPv4 address: judged as the IPv4 address they carry.
IPV4_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
DEFAULT_PORTS = {"https": 443, "http": 80}


class Unresolvable(Exception):
    """The host has no address."""


class Refused(Exception):
    """The host resolves to an address webhooks may not reach."""


def is_denied(address: Address) -> bool:
    """True unless the address is on the public internet."""
    carried = carried_ipv4(address)
    if carried is not None:
        return is_denied(carried)
    return not address.is_global or any(address in network for network in DENIED_NETWORKS)


def carried_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address in IPV4_MAPPED or address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return None


def resolve(host: str, port: int) -> list[Address]:
    """Every address the host resolves to, in the resolver's order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as problem:  # ValueError: a name IDNA cannot encode ("a..b")
        raise Unresolvable(f"{host!r} does not resolve: {problem}") from problem
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses:
        raise Unresolvable(f"{host!r} has no address")
    return list(dict.fromkeys(addresses))


def checked_addresses(host: str, port: int, *, allow_private: bool) -> list[Address]:
    """The host's addresses, resolved once; Refused when any one of them is
    denied (a name with one private address among public ones is refused too)."""
    addresses = resolve(host, port)
    denied = [str(address) for address in addresses if is_denied(address)]
    if denied and not allow_private:
        raise Refused(f"{host!r} resolves to {', '.join(denied)}")
    return addresses


def post(url: str, *, body: bytes, headers: Mapping[str, str], timeout: float, allow_private: bool) -> int:
    """POST once and return the answer's status; a redirect is returned, never
    followed. Raises Unresolvable, Refused, or whatever the connection raises."""
    host, port = host_and_port(url)
    addresses = checked_addresses(host, port, allow_private=allow_private)
    parts = urlsplit(url)
    pinned = PinnedHTTPSConnection if parts.scheme == "https" else PinnedHTTPConnection
    connection = pinned(host, port, addresses=addresses, timeout=timeout)
    try:
        connection.request("POST", request_target(parts.path, parts.query), body, {**headers})
        return connection.getresponse().status
    finally:
        connection.close()


def host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or DEFAULT_PORTS[parts.scheme]


def request_target(path: str, query: str) -> str:
    target = path or "/"
    return f"{target}?{query}" if query else target


def open_socket(addresses: list[Address], port: int, timeout: float | None) -> socket.socket:
    """A connection to the first of the checked addresses that answers."""
    problem: OSError = ConnectionError("no address to connect to")
    for address in addresses:
        try:
            return socket.create_connection((str(address), port), timeout)  # a literal: no lookup
        except OSError as failure:
            problem = failure
    raise problem


class PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, addresses: list[Address], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = open_socket(self.addresses, self.port, self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, addresses: list[Address], timeout: float) -> None:
        self.tls = ssl.create_default_context()  # certificate required and checked against the host
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = open_socket(self.addresses, self.port, self.timeout)  # closed by close() if TLS fails
        self.sock = self.tls.wrap_socket(self.sock, server_hostname=self.host)
