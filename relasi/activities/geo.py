"""Distances for field visits: great-circle (haversine) metres between two WGS84 points, and
where a customer is (the coordinates of its primary address)."""

import math
from decimal import Decimal
from typing import Any

from django.conf import settings

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
# A check-in farther than this from the customer's address is flagged in the visits report.
ALERT_DISTANCE_M: int = getattr(settings, "VISIT_ALERT_DISTANCE_M", 500)

Number = float | Decimal | int


def haversine_m(lat1: Number, lng1: Number, lat2: Number, lng2: Number) -> float:
    """Metres along the Earth's surface between (lat1, lng1) and (lat2, lng2)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp = p2 - p1
    dl = math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def valid_point(lat: Any, lng: Any) -> bool:
    try:
        return -90 <= float(lat) <= 90 and -180 <= float(lng) <= 180
    except (TypeError, ValueError):
        return False


def site_address(customer: Any) -> Any:
    """The customer's primary address that has coordinates (else any that has), or None."""
    return (
        customer.addresses.filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("-is_primary", "id")
        .first()
    )


def distance_to(customer_site: Any, lat: Any, lng: Any) -> int | None:
    if customer_site is None or lat is None or lng is None:
        return None
    return round(haversine_m(customer_site[0], customer_site[1], lat, lng))
