"""Per-client request limits: the generic cell rate algorithm (a token bucket kept as one time)."""
from __future__ import annotations

import hashlib
import ipaddress
import math
import re
from dataclasses import dataclass

# Hashing "for this purpose" keeps the bucket keys from matching any other hash of an address.
_PURPOSE = b"mashang/limits/client/v1\x00"
_RULE_TEXT = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*(?::\s*(\d+)\s*)?$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}
_TOLERANCE = 0.001  # seconds: stored times are whole milliseconds


@dataclass(frozen=True)
class Rule:
    """`rate` requests per `period` seconds, of which `burst` may come at once."""

    name: str
    rate: int
    period: float
    burst: int

    def __post_init__(self) -> None:
        if self.rate < 1 or self.period <= 0 or self.burst < 1:
            raise ValueError(f"limit {self.name}: rate, period and burst must be positive")

    @property
    def interval(self) -> float:
        """Seconds one request costs: the sustained pace is one per interval."""
        return self.period / self.rate

    @classmethod
    def parse(cls, name: str, text: str) -> Rule:
        """`"10/600:5"` (10 per 600 s, 5 at once); the period may say s, m or h (`"10/10m:5"`);
        without `:burst` the whole `rate` may come at once."""
        match = _RULE_TEXT.match(text)
        if not match:
            raise ValueError(f"limit {name}: '{text}' is not <requests>/<period>[s|m|h][:<burst>], e.g. 10/10m:5")
        rate, period, unit, burst = match.groups()
        return cls(name, int(rate), float(period) * _UNITS[unit], int(burst) if burst else int(rate))


@dataclass(frozen=True)
class Decision:
    """Whether a request may pass; `tat` is the bucket's new state (unchanged when refused)."""

    allowed: bool
    tat: float
    retry_after: int  # whole seconds until a request would pass; 0 when allowed


def decide(tat: float | None, now: float, rule: Rule) -> Decision:
    """GCRA. `tat` (the theoretical arrival time, epoch seconds) is when the bucket is full again;
    a request costs one interval and passes while that keeps `tat` within `burst` intervals of now."""
    interval = rule.interval
    # No allowed request puts `tat` more than `burst` intervals ahead; a time further ahead than
    # that plus one interval (machines' clocks differ by far less) means the clock went back:
    # start the bucket afresh instead of refusing the client until the clock catches up.
    if tat is None or tat > now + (rule.burst + 1) * interval:
        tat = now
    start = max(tat, now)
    new_tat = start + interval
    wait = new_tat - rule.burst * interval - now
    if wait > _TOLERANCE:
        return Decision(False, tat, max(1, math.ceil(wait)))
    return Decision(True, new_tat, 0)


def client_key(address: str | None) -> str:
    """A bucket name for a client address that does not hold the address (personal data). An IPv6
    client is its /64: one device or household gets a whole /64 and can change address within it."""
    text = (address or "").strip()
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None:
        text = str(ipaddress.IPv6Network((ip, 64), strict=False).network_address) + "/64"
    elif isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        text = str(ip.ipv4_mapped)
    return hashlib.sha256(_PURPOSE + text.encode()).hexdigest()[:32]
