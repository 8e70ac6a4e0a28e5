"""Points on the map: a case's reported position, a place's coordinates, and which place is nearest."""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import InvalidInput

EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)


@dataclass(frozen=True)
class Point:
    """WGS 84 latitude and longitude in degrees."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lat) and -90 <= self.lat <= 90):
            raise InvalidInput(f"lat: must be a latitude between -90 and 90 (got {self.lat})", field="lat")
        if not (math.isfinite(self.lon) and -180 <= self.lon <= 180):
            raise InvalidInput(f"long: must be a longitude between -180 and 180 (got {self.lon})", field="long")


def distance_m(a: Point, b: Point) -> float:
    """The great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi, dlam = phi2 - phi1, math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def nearest(point: Point, places: Iterable[tuple[str, Point]], within_m: float) -> str | None:
    """The code of the place nearest to `point` no farther than `within_m`; None if there is none
    (ties go to the smaller code, so the answer never depends on the order given)."""
    best: tuple[float, str] | None = None
    for code, where in places:
        distance = distance_m(point, where)
        if distance <= within_m and (best is None or (distance, code) < best):
            best = (distance, code)
    return best[1] if best else None
