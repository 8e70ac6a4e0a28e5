from __future__ import annotations

from datetime import datetime

from chalicelib.domain.ids import (
    new_ticket_id,
    new_tracking_secret,
    public_number,
    secret_digest,
    secret_matches,
)


def test_ticket_ids_sort_in_creation_order():
    ids = [new_ticket_id(now_ms=ms) for ms in (1_000, 2_000, 3_000_000)]
    assert ids == sorted(ids)
    assert len(set(new_ticket_id(now_ms=5) for _ in range(100))) == 100


def test_public_numbers_are_date_and_sequence():
    assert public_number(datetime(2026, 11, 22), 42) == "20261122-0042"


def test_tracking_secrets_have_at_least_128_bits_and_only_their_digest_is_kept():
    secret = new_tracking_secret()
    assert len(secret) * 6 >= 128
    assert secret not in secret_digest(secret)
    assert secret_matches(secret, secret_digest(secret))
    assert not secret_matches(new_tracking_secret(), secret_digest(secret))
