"""Admitting a citizen's request under its per-client limit, before anything is written."""
from __future__ import annotations

from ..domain.throttle import Decision, client_key
from ..observability import logger
from .context import Deps

ALLOWED = Decision(True, 0.0, 0)


def bucket_of(rule_name: str, address: str | None) -> str:
    """One bucket per rule and client; the client's address itself is never stored."""
    return f"{rule_name}#{client_key(address)}"


def admit(rule_name: str, address: str | None, deps: Deps) -> Decision:
    """May this client make one more request of this kind now? A rule switched off always allows.
    If the buckets cannot be read or written the request passes: the limit guards the service, it
    must not cost a citizen a report (the gateway's throttle still holds)."""
    return _take(rule_name, bucket_of(rule_name, address), deps)


def admit_application(rule_name: str, application: str, deps: Deps) -> Decision:
    """The same for a client application known by its key's id (Open311): its own bucket, whatever
    address it sends from."""
    return _take(rule_name, f"{rule_name}#app:{application}", deps)


def _take(rule_name: str, bucket: str, deps: Deps) -> Decision:
    rule = deps.settings.limit(rule_name)
    if rule is None:
        return ALLOWED
    try:
        return deps.limits.take(bucket, rule, deps.base_clock.now())
    except Exception:
        logger.exception("request limit unavailable; the request passes", extra={"rule": rule_name})
        return ALLOWED
