"""The hotline operator's filing: a phoned-in case through the same submit service as a scanned
report, channel hotline, the caller's phone as the contact (the SMS receipt goes to it), the
operator's account on the case's first event; where no place of the catalogue fits, the address as
the caller said it."""
from __future__ import annotations

from ..domain.errors import InvalidInput
from ..domain.model import Channel
from .commands import HotlineCall, SubmitTicket


def as_submission(call: HotlineCall) -> SubmitTicket:
    """The submission a call makes: at a place of the catalogue, or else at the address as the
    caller said it (filed without a known place: it goes to the dispatchers, services/tickets.py)."""
    if not call.location and not call.address:
        raise InvalidInput("location: choose a place from the list, or type the address the caller gives",
                           field="location", problem="required")
    fields = call.model_dump()
    return SubmitTicket.model_validate({**fields, "location": call.location or None, "channel": Channel.HOTLINE,
                                        "photos": (), "lat": None, "lon": None})
