"""The local SMS outbox: every message moto's SNS accepted, as a page of the local site."""
from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from html import escape

DEFAULT_ACCOUNT = "123456789012"


def sms_messages(region: str = "us-east-1", account: str = DEFAULT_ACCOUNT) -> list[tuple[str, str]]:
    """(phone, text) of every SMS sent through the moto server running in this process, oldest first."""
    from moto.sns.models import sns_backends

    return list(sns_backends[account][region].sms_messages.values())


def _mask(phone: str) -> str:
    digits = phone.removeprefix("+86")
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 11 else digits


def remote_sms_messages(endpoint: str) -> list[tuple[str, str]]:
    """The same, from an emulator running in another process (infra/local/moto_process.py)."""
    with urllib.request.urlopen(f"{endpoint}/_local/sms", timeout=10) as answer:
        return [(phone, text) for phone, text in json.loads(answer.read())]


def outbox(messages: Callable[[], list[tuple[str, str]]]) -> Callable[[str], tuple[int, str, bytes] | None]:
    """The outbox page of the local site, over a source of messages."""
    return lambda path: _outbox_page(path, messages)


def outbox_page(path: str) -> tuple[int, str, bytes] | None:
    return _outbox_page(path, sms_messages)


def _outbox_page(path: str, messages: Callable[[], list[tuple[str, str]]]) -> tuple[int, str, bytes] | None:
    if path.rstrip("/") != "/outbox":
        return None
    rows = "".join(f"<li><b>{escape(_mask(phone))}</b><p>{escape(text)}</p></li>"
                   for phone, text in reversed(messages()))
    html = f"""<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="refresh" content="3">
<title>短信发件箱（本地）</title>
<style>body{{font:16px/1.6 "Noto Sans CJK SC",sans-serif;max-width:46rem;margin:0 auto;padding:1rem;background:#f4f6f8}}
li{{background:#fff;border:1px solid #dde3ea;border-radius:10px;padding:.5rem .9rem;margin:.5rem 0;list-style:none}}
ul{{padding:0}} p{{margin:.2rem 0}}</style>
<h1>短信发件箱（本地演示）</h1><p>本机模拟的短信网关收到的全部短信，最新在前；每 3 秒刷新。</p>
<ul id="outbox">{rows or "<li>暂无短信</li>"}</ul></html>"""
    return 200, "text/html; charset=utf-8", html.encode()
