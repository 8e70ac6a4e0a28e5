"""Screening (筛选): is a submission valid, a duplicate of an open case, or to be routed?

The text rule, written down (and tested with real short complaints and real garbage):
  * Only letters, digits and Chinese characters count; punctuation, emoji and spaces do not.
  * Chinese text is meaningful with at least `min_description_chars` Chinese characters (2 by
    default: "漏水", "有坑", "灯坏了" are real complaints), of which at least two differ and at
    least one is not a filler sound (啊, 哈, 嗯, 喂 …): "啊啊啊", "哈哈哈哈", "嗯嗯" are not.
  * Latin text is meaningful with a word of three or more letters that has a vowel, at least three
    different letters, and letters from more than one keyboard row: "leak", "pothole" and
    "light broken" are; "asdf", "qwerty", "zxcvb" and "aaaa" are not.
  * Digits alone never are ("123456").
  * A banned word screens the text out whatever else it says.
A screened-out case gets a reason code; the message catalogue words it ("reason.<code>").
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .policy import Policy

_MEANINGFUL = re.compile(r"[\w\u4e00-\u9fff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[a-z]+")
_FILLERS = frozenset("啊阿哦噢喔哈呵嘿嘻嗯额呃哎唉诶欸喂呀吧了的吗嘛呢哇啦咯嗷")
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")

TOO_SHORT = "too_short"
GARBLED = "garbled"
BANNED = "banned"


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str = ""  # a reason code when not valid (TOO_SHORT, GARBLED, BANNED)


def _meaningful(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if _MEANINGFUL.match(ch))


def _chinese_ok(han: list[str], policy: Policy) -> bool:
    return len(han) >= policy.min_description_chars and len(set(han)) >= 2 \
        and any(ch not in _FILLERS for ch in han)


def _latin_ok(core: str) -> bool:
    letters = "".join(_WORD.findall(core.lower()))
    words = _WORD.findall(core.lower())
    if len(set(letters)) < 3 or not any(len(w) >= 3 and set(w) & set("aeiouy") for w in words):
        return False
    return sum(1 for row in _KEYBOARD_ROWS if set(letters) & set(row)) > 1


def check_text(text: str, policy: Policy) -> Verdict:
    """Empty or garbled text and banned words are screened out, with the reason code."""
    core = _meaningful(text)
    han = _HAN.findall(core)
    lowered = text.lower()
    if any(word and word.lower() in lowered for word in policy.banned_words):
        return Verdict(False, BANNED)
    if _chinese_ok(han, policy) or _latin_ok(core):
        return Verdict(True)
    return Verdict(False, TOO_SHORT if len(core) < policy.min_description_chars else GARBLED)


def _bigrams(text: str) -> set[str]:
    core = _meaningful(text).lower()
    return {core[i:i + 2] for i in range(len(core) - 1)} or {core}


def similarity(a: str, b: str) -> float:
    """Overlap of character pairs (overlap coefficient): works for Chinese without word
    segmentation, and a short "me too" against a long report still scores high."""
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / min(len(x), len(y)) if x and y else 0.0


def find_duplicate(text: str, open_cases: Iterable[tuple[str, str]], policy: Policy) -> str | None:
    """The id of the most similar open case (id, description) above the threshold, if any."""
    best, best_score = None, policy.duplicate_similarity
    for case_id, description in open_cases:
        score = similarity(text, description)
        if score >= best_score:
            best, best_score = case_id, score
    return best
