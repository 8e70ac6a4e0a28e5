"""Client applications that file cases through the Open311 API, each with its own key.

The key is shown once when issued; only its SHA-256 is stored, so a stolen table reveals no key.
A revoked key files nothing (403); the cases it filed keep the client's name."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

KEY_BYTES = 24  # 192 random bits, written as 48 hex digits


def new_key() -> str:
    return secrets.token_hex(KEY_BYTES)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ClientKey:
    id: str  # short and public: how admins name the key (the digest's first 12 hex digits)
    name: str  # the client application, recorded on each case it files
    digest: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(cls, name: str, key: str, at: datetime) -> ClientKey:
        digest = key_digest(key)
        return cls(digest[:12], name, digest, at)
