"""The hotline operator's filing: a phoned-in case through the same submit service as a scanned
report, channel hotline, the caller's phone as the contact (the SMS receipt goes to it), the
operator's account on the case's first event."""
from __future__ import annotations

from ..domain.errors import InvalidInput
from ..domain.model import Channel
from .commands import HotlineCall, SubmitTicket


def as_submission(call: HotlineCall) -> SubmitTicket:
    """The submission a call makes. A place of the catalogue is required for now: a case at an
    address typed from the caller's words (no place fits) waits for cases without a known place."""
    if not call.location:
        problem = "no_place" if call.address else "required"
        raise InvalidInput("location: choose a place from the list" + (
            "; a case at a typed address cannot be filed yet" if call.address else ""),
            field="location", problem=problem)
    fields = call.model_dump(exclude={"address"})
    return SubmitTicket.model_validate({**fields, "channel": Channel.HOTLINE, "photos": ()})
