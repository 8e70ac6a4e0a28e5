"""Remove contact data from citizen text before it is published or logged: the one function every
public surface (pages, public JSON, listings, exports, logs) passes text through.

Detection runs on a copy whose full-width characters (１３８, －, ＠, 　) are folded to ASCII one for
one, so positions match and the masks replace the original characters."""
from __future__ import annotations

import re
import unicodedata

PHONE_MASK = "[电话已隐去]"
ID_MASK = "[证件号已隐去]"
EMAIL_MASK = "[邮箱已隐去]"

_SEP = r"[ \t\-.·]?"  # one optional separator between digit groups: space, dash, dot
# Resident ID: 17 digits and a digit or X, also written 6-8-4 with separators.
_ID_NUMBER = re.compile(rf"(?<![\dA-Za-z])\d{{6}}{_SEP}\d{{8}}{_SEP}\d{{3}}[\dXx](?![\dXx])")
# Mobile: 1[3-9]x and eight more digits, any digit optionally after a separator; +86 / 0086 / (+86).
_MOBILE = re.compile(
    rf"(?<!\d)(?:(?:\+|00)?86{_SEP}|\(\+?86\){_SEP})?1[3-9]\d(?:{_SEP}\d){{8}}(?!\d)")
# Landline: area code 0xx or 0xxx (bracketed or not), then 7-8 digits in one or two groups,
# optionally an extension.
_LANDLINE = re.compile(
    rf"(?<!\d)(?:\(0\d{{2,3}}\)|0\d{{2,3}}){_SEP}\d{{3,4}}{_SEP}\d{{4}}(?:{_SEP}(?:转|ext\.?|x){_SEP}\d{{1,5}})?(?!\d)",
    re.IGNORECASE)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")

_PATTERNS = ((_EMAIL, EMAIL_MASK), (_ID_NUMBER, ID_MASK), (_MOBILE, PHONE_MASK), (_LANDLINE, PHONE_MASK))


def _folded(text: str) -> str:
    """Full-width forms folded to ASCII, one character for one (others kept as they are)."""
    out = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch) if ord(ch) > 0x7F else ch
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out).replace("（", "(").replace("）", ")")


def redact(text: str) -> str:
    """The text with e-mail addresses, resident ID numbers and phone numbers masked."""
    if not text:
        return text
    folded = _folded(text)
    spans: list[tuple[int, int, str]] = []
    for pattern, mask in _PATTERNS:
        for match in pattern.finditer(folded):
            if not any(start < match.end() and match.start() < end for start, end, _ in spans):
                spans.append((match.start(), match.end(), mask))
    for start, end, mask in sorted(spans, reverse=True):
        text = text[:start] + mask + text[end:]
    return text
