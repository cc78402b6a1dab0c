"""The guard against server-side request forgery on webhook URLs.

A webhook URL is typed by an administrator but fetched by the server, from inside the
network: without a guard it could reach the metadata service (169.254.169.254), the database
or an admin port on localhost. Every address the host name resolves to must be public (not
private, loopback, link-local, multicast, reserved or unspecified) unless
RELASI_WEBHOOK_ALLOW_PRIVATE is set. The check runs when the URL is saved and again at every
try, and the connection goes to the address that was checked (no second DNS answer, so DNS
rebinding cannot swap it). Redirects are never followed."""

import http.client
import ipaddress
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class UnsafeURL(ValueError):
    """The URL is not http(s) or points at an address webhooks may not reach."""


def allow_private() -> bool:
    return bool(getattr(settings, "RELASI_WEBHOOK_ALLOW_PRIVATE", False))


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def resolve(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, checked address) for `url`, or UnsafeURL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL(_("Only http and https URLs with a host name can receive webhooks."))
    if parts.username or parts.password:
        raise UnsafeURL(_("Put no user name or password in the URL; the signature is the proof."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeURL(_("The port is not valid.")) from exc
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UnsafeURL(_("The host name does not resolve.")) from exc
    addresses = [str(info[4][0]) for info in infos]
    if not allow_private():
        for address in addresses:
            if not _public(ipaddress.ip_address(address.split("%")[0])):
                raise UnsafeURL(
                    _("The URL points at a private or local address (%(a)s).") % {"a": address}
                )
    return parts.scheme, parts.hostname, port, addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    """POST `body` to the checked address of `url`; (status, first 2 kB of the answer)."""
    scheme, host, port, address = resolve(url)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    cls: Any = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
    conn = cls(host, port, address, timeout)
    try:
        conn.request("POST", target, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(2048)
    finally:
        conn.close()
