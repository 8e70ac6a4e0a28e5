"""Remove contact data from citizen text before it is published or logged."""
from __future__ import annotations

import re

PHONE_MASK = "[电话已隐去]"
ID_MASK = "[证件号已隐去]"

# Resident ID: 17 digits and a digit or X; checked before phones so its digits are not half-masked.
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
# Mobile numbers, optionally with +86 and separators: 138 0013 8000, 138-0013-8000.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)")
# Landlines: 0xx(x)-xxxxxxx(x), with or without the dash or brackets.
_LANDLINE = re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[\s-]?\d{7,8}(?!\d)")


def redact(text: str) -> str:
    text = _ID_NUMBER.sub(ID_MASK, text)
    text = _MOBILE.sub(PHONE_MASK, text)
    return _LANDLINE.sub(PHONE_MASK, text)
