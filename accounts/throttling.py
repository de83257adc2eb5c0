"""Sign-in throttling: per (username, address) and, with a higher limit, per address; the client's real address.

django-axes locks a (username, address) pair after AXES_FAILURE_LIMIT failures, so an attacker
cannot lock a real user out from another address. That alone never stops one address trying a
few passwords on many usernames, so an address is also locked once it has failed
AXES_ADDRESS_FAILURE_LIMIT times over any usernames within the cool-off window. A successful
sign-in resets only its own pair, never the address count.

The address is REMOTE_ADDR unless the deployment says a reverse proxy sits in front
(TRUSTED_PROXY_COUNT, and optionally TRUSTED_PROXY_IPS): only then is X-Forwarded-For read,
and only the entry the trusted proxies appended. Anything further left was written by the
client and is ignored, so nobody can pick the address they are throttled (or audited) as.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client as the trusted proxies saw it (REMOTE_ADDR when there is no proxy)."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    trusted = tuple(getattr(settings, "TRUSTED_PROXY_IPS", ()) or ())
    if trusted and not _is_trusted(remote, trusted):
        return remote  # the request did not come through our proxy: its header is the client's own text
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _is_trusted(address: str | None, trusted: tuple[str, ...]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxy_networks(trusted))


@lru_cache(maxsize=8)
def proxy_networks(trusted: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """TRUSTED_PROXY_IPS as networks: single addresses or CIDR ranges (ValueError on a bad entry)."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def address_failure_limit() -> int:
    return int(getattr(settings, "AXES_ADDRESS_FAILURE_LIMIT", 30))


class AddressLimitAxesHandler(AxesDatabaseHandler):
    """Axes' database handler plus a per-address limit that is higher than the per-username one."""

    def address_failures(self, request: HttpRequest) -> int:
        address = getattr(request, "axes_ip_address", None) or client_ip(request)
        if not address:
            return 0
        attempts = AccessAttempt.objects.filter(ip_address=address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The pair's failures; at least the lockout limit once the address has used up its own limit."""
        failures = super().get_failures(request, credentials)
        if self.address_failures(request) >= address_failure_limit():
            return max(failures, get_failure_limit(request, credentials))
        return failures
