"""Ticket identities: a sortable internal id, a readable public number, a tracking secret."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from datetime import datetime

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ticket_id(now_ms: int | None = None, entropy: int | None = None) -> str:
    """26-character id whose string order is creation order (ULID layout); `entropy` (80 bits)
    in place of fresh random bits makes it reproducible (generated history)."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    value = (ms << 80) | (secrets.randbits(80) if entropy is None else entropy & ((1 << 80) - 1))
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def public_number(day: datetime, sequence: int) -> str:
    """Number people can read out on the phone: date plus that day's sequence."""
    return f"{day:%Y%m%d}-{sequence:04d}"


def new_tracking_secret() -> str:
    """Unguessable secret (192 bits) that lets the citizen add information and rate."""
    return secrets.token_urlsafe(24)


def secret_digest(secret: str) -> str:
    """Only the digest is stored: a leaked table does not leak the secrets."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, digest: str) -> bool:
    return hmac.compare_digest(secret_digest(secret), digest)


def seal(secret: str, key: str) -> str:
    """The secret encrypted under a key only the client holds (e.g. its idempotency key):
    XOR with an HMAC-SHA256 keystream, so a stored receipt holds no secret in plain text."""
    return base64.urlsafe_b64encode(_xor(secret.encode(), key)).decode()


def unseal(sealed: str, key: str) -> str:
    return _xor(base64.urlsafe_b64decode(sealed.encode()), key).decode()


def _xor(data: bytes, key: str) -> bytes:
    return bytes(a ^ b for a, b in zip(data, _keystream(key, len(data)), strict=True))


def _keystream(key: str, length: int) -> bytes:
    blocks = (hmac.new(key.encode(), b"mashang receipt %d" % i, hashlib.sha256).digest()
              for i in range(length // 32 + 1))
    return b"".join(blocks)[:length]
