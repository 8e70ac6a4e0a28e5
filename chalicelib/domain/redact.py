"""Remove contact data from citizen text before it is published or logged: the one function every
public surface (pages, public JSON, listings, exports, logs) passes text through.

Detection runs on a copy folded one character for one — full-width forms (１３８, －, ＠, 　) to
ASCII, Chinese numerals (一三八, 幺, 零) to digits — so positions match and the masks replace the
original characters."""
from __future__ import annotations

import re
import unicodedata

PHONE_MASK = "[电话已隐去]"
ID_MASK = "[证件号已隐去]"
EMAIL_MASK = "[邮箱已隐去]"

# Between two digits or digit groups: nothing, one or two spaces, or a dash, dot, slash or
# middle dot with up to two spaces around it.
_SEP = r"(?:[ \t]{0,2}[-.·/][ \t]{0,2}|[ \t]{1,2})?"
_DIGITS = "零〇幺一二三四五六七八九"
_AS_DIGIT = str.maketrans(_DIGITS + "—–‐−（）", "001123456789----()")

# Resident ID: 17 digits and a digit or X, however grouped.
_ID_NUMBER = re.compile(rf"(?<![\dA-Za-z])\d(?:{_SEP}\d){{16}}{_SEP}[\dXx](?![\dXx])")
# Mobile: 1[3-9]x and eight more digits, with +86 / 0086 / (+86) before it.
_MOBILE = re.compile(
    rf"(?<!\d)(?:(?:\+|00)?86{_SEP}|\(\+?86\){_SEP})?1{_SEP}[3-9]{_SEP}\d(?:{_SEP}\d){{8}}(?!\d)")
# Landline: area code 0xx or 0xxx (bracketed or not), then 7-8 digits, optionally an extension.
_LANDLINE = re.compile(
    rf"(?<!\d)(?:\(0\d{{2,3}}\)|0\d{{2,3}}){_SEP}\d{{3,4}}{_SEP}\d{{4}}(?:{_SEP}(?:转|ext\.?|x){_SEP}\d{{1,5}})?(?!\d)",
    re.IGNORECASE)
# Service numbers 400 / 800.
_SERVICE = re.compile(rf"(?<!\d)[48]00{_SEP}\d{{3}}{_SEP}\d{{4}}(?!\d)")
# A local number without area code, where the text says it is one (电话, 座机, tel …).
_LOCAL = re.compile(rf"(?:电话|座机|手机|联系方式|联系|号码|tel|phone)[:：\s]*(?P<x>\d(?:{_SEP}\d){{6,7}})(?!\d)",
                    re.IGNORECASE)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+ ?@ ?[A-Za-z0-9\-]+(?: ?\. ?[A-Za-z0-9\-]+)*? ?\. ?[A-Za-z]{2,}")

_PATTERNS = ((_EMAIL, EMAIL_MASK), (_ID_NUMBER, ID_MASK), (_MOBILE, PHONE_MASK), (_LANDLINE, PHONE_MASK),
             (_SERVICE, PHONE_MASK), (_LOCAL, PHONE_MASK))


def _folded(text: str) -> str:
    """Full-width forms folded to ASCII and numerals to digits, one character for one."""
    out = []
    for ch in text.translate(_AS_DIGIT):
        folded = unicodedata.normalize("NFKC", ch) if ord(ch) > 0x7F else ch
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out).translate(_AS_DIGIT)


def redact(text: str) -> str:
    """The text with e-mail addresses, resident ID numbers and phone numbers masked."""
    if not text:
        return text
    folded = _folded(text)
    spans: list[tuple[int, int, str]] = []
    for pattern, mask in _PATTERNS:
        for match in pattern.finditer(folded):
            start, end = match.span("x") if "x" in pattern.groupindex else match.span()
            if not any(s < end and start < e for s, e, _ in spans):
                spans.append((start, end, mask))
    for start, end, mask in sorted(spans, reverse=True):
        text = text[:start] + mask + text[end:]
    return text
