"""The one message catalogue: every word a person reads (pages, console, SMS, errors) in zh-CN
and English. Templates and code name a message by its key; nothing else spells UI text.

The catalogue files are flat JSON objects (`zh-CN.json`, `en.json`) of `key: text`, where text
may hold `{field}` placeholders. Both files carry the same keys and placeholders (a test checks).
"""
from __future__ import annotations

import json
import string
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ZH = "zh-CN"
EN = "en"
LOCALES = (ZH, EN)
DEFAULT = ZH
# Where each locale's public pages live on the site ("" is the root).
PREFIX = {ZH: "", EN: "en/"}


@lru_cache(maxsize=len(LOCALES))
def catalogue(locale: str) -> Mapping[str, str]:
    texts: dict[str, str] = json.loads((HERE / f"{locale}.json").read_text(encoding="utf-8"))
    return texts


def locale_of(value: str | None) -> str:
    """The supported locale a request asks for ("en", "en-US", "zh", an Accept-Language list)."""
    for part in (value or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return EN
        if tag.startswith("zh"):
            return ZH
    return DEFAULT


def request_locale(request: Any, asked: str | None = None) -> str:
    """The language an HTTP request asks for: what its page says (a form's `locale` given as
    `asked`, else `?lang=`), else the browser's Accept-Language."""
    query = getattr(request, "query_params", None) or {}
    headers = getattr(request, "headers", None) or {}
    return locale_of(asked or query.get("lang") or headers.get("accept-language"))


def reason_text(code: str | None, locale: str = DEFAULT, **fields: object) -> str:
    """A stored reason: a catalogue code ("too_short") worded, or free text kept as written."""
    if not code:
        return ""
    t = Messages(locale)
    return t(f"reason.{code}", **fields) if t.has(f"reason.{code}") else code


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Messages:
    """One locale's messages: `t("intake.submit")`, `t("sms.received", number=…)`."""

    def __init__(self, locale: str = DEFAULT) -> None:
        self.locale = locale if locale in LOCALES else DEFAULT
        self.prefix = PREFIX[self.locale]
        self._texts = catalogue(self.locale)

    def __call__(self, key: str, **fields: object) -> str:
        text = self._texts[key]
        return text.format(**fields) if fields else text

    def has(self, key: str) -> bool:
        return key in self._texts

    def get(self, key: str, default: str) -> str:
        """The message if the key exists, else the default (free text stored by staff)."""
        return self._texts.get(key, default)

    def section(self, prefix: str) -> dict[str, str]:
        """All messages under a prefix, for a page script ("console." → {"accept": …})."""
        return {key[len(prefix):]: text for key, text in self._texts.items() if key.startswith(prefix)}


def t(key: str, locale: str = DEFAULT, **fields: object) -> str:
    return Messages(locale)(key, **fields)
