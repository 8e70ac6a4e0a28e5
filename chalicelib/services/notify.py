"""Sending SMS by template; phone numbers never reach a log line."""
from __future__ import annotations

from ..domain.messages import render
from ..observability import logger
from .context import Deps


def sms(deps: Deps, phone: str | None, template: str, **fields: object) -> bool:
    if not phone:
        return False
    deps.sms.send(phone, render(template, **fields))
    logger.info("sms sent", extra={"template": template})
    return True
