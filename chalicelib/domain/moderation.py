"""What the public may read of a citizen's words and photos: confidential, hidden by a moderator
(with the reason), or redacted. Every public surface (case page, JSON, hall and place listings)
asks here, so they all show the same thing."""
from __future__ import annotations

from .model import Event, Ticket
from .redact import redact

# Reason codes the console offers (worded as "reason.<code>"); staff may also write their own.
HIDE_REASONS = ("privacy", "abusive", "off_topic")
BANNED = "banned"  # the screening's reason code for banned words (domain/screening.py)


def event_target(index: int) -> str:
    return f"event:{index}"


def photo_target(name: str) -> str:
    return f"photo:{name}"


def public_description(ticket: Ticket) -> tuple[str, str | None]:
    """(text to show, hide reason): the redacted description and None; or "" and the stored
    reason (a catalogue code or staff's words: word it with `i18n.reason_text`) when a moderator
    hid it; or "" and None on a confidential case, which publishes no citizen text at all."""
    if ticket.confidential:
        return "", None
    if ticket.reason == BANNED:  # screened out for abusive words: the words are not published either
        return "", BANNED
    reason = ticket.hidden.get("description")
    if reason is not None:
        return "", reason
    return redact(ticket.description), None


def public_note(ticket: Ticket, index: int, event: Event) -> tuple[str, str | None]:
    """The same for one timeline entry's note (an addition, a rating comment)."""
    reason = ticket.hidden.get(event_target(index))
    if reason is not None:
        return "", reason
    return redact(event.note), None


def rating_comment(ticket: Ticket) -> tuple[str, str | None]:
    """The same for the comment of the standing rating (the note of the last `rated` event)."""
    if ticket.confidential or not ticket.rating_comment:
        return "", None
    index = next((i for i in range(len(ticket.events) - 1, -1, -1) if ticket.events[i].kind == "rated"), None)
    reason = ticket.hidden.get(event_target(index)) if index is not None else None
    if reason is not None:
        return "", reason
    return redact(ticket.rating_comment), None


def hidden_photos(ticket: Ticket) -> dict[str, str]:
    """Photo name -> hide reason, for the photos a moderator withdrew."""
    return {target.partition(":")[2]: reason for target, reason in ticket.hidden.items()
            if target.startswith("photo:")}
