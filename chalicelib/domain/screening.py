"""Screening (筛选): is a submission valid, a duplicate of an open case, or to be routed?"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .policy import Policy

_MEANINGFUL = re.compile(r"[\w\u4e00-\u9fff]")


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str = ""  # shown to the citizen when not valid


def _meaningful(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if _MEANINGFUL.match(ch))


def check_text(text: str, policy: Policy) -> Verdict:
    """Empty or garbled text and banned words are screened out, with the reason."""
    core = _meaningful(text)
    if len(core) < policy.min_description_chars:
        return Verdict(False, "内容过短或无法识别，请具体描述问题和位置")
    if len(set(core)) <= 2 or not re.search(r"[\u4e00-\u9fff]", core) and not re.search(r"[a-zA-Z]{3}", core):
        return Verdict(False, "内容无法识别，请用文字具体描述问题")
    lowered = text.lower()
    for word in policy.banned_words:
        if word and word.lower() in lowered:
            return Verdict(False, "内容含有不文明或违规用语，请修改后重新提交")
    return Verdict(True)


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
