"""Sending SMS worded by the message catalogue; phone numbers never reach a log line."""
from __future__ import annotations

from ..i18n import DEFAULT, Messages
from ..observability import logger
from .context import Deps


def sms(deps: Deps, phone: str | None, template: str, locale: str = DEFAULT, **fields: object) -> bool:
    """Staff messages are in zh-CN; a citizen's in the language the case was filed in."""
    if not phone:
        return False
    deps.sms.send(phone, Messages(locale)(f"sms.{template}", **fields))
    logger.info("sms sent", extra={"template": template})
    return True

