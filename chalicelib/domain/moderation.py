"""What the public may read of a citizen's text."""
from __future__ import annotations

from .model import Ticket
from .redact import redact


def public_description(ticket: Ticket) -> tuple[str, str | None]:
    """The description as published (redacted), or "" when confidential; and the moderator's
    reason when it is hidden (None otherwise)."""
    if ticket.confidential:
        return "", None
    return redact(ticket.description), None
