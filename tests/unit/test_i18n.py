"""The one message catalogue: both languages say the same things, and nothing else speaks."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from chalicelib.domain.model import EVENT_KINDS, Channel, Kind, Outcome, Rating, Status
from chalicelib.i18n import EN, LOCALES, ZH, catalogue, locale_of, placeholders
from chalicelib.services.publish import CONSOLE_TABS

TEMPLATES = Path(__file__).resolve().parents[2] / "chalicelib" / "templates"
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_both_languages_have_the_same_keys_and_placeholders():
    zh, en = catalogue(ZH), catalogue(EN)
    assert set(zh) == set(en)
    for key in zh:
        assert placeholders(zh[key]) == placeholders(en[key]), key
        assert zh[key].strip() and en[key].strip(), key


def test_the_english_catalogue_is_english():
    assert [key for key, text in catalogue(EN).items() if HAN.search(text) and key != "lang.name"] == []


@pytest.mark.parametrize("path", sorted(p for p in TEMPLATES.rglob("*") if p.is_file()), ids=lambda p: p.name)
def test_no_template_or_page_script_spells_a_word_of_its_own(path):
    assert not HAN.search(path.read_text(encoding="utf-8")), f"{path.name}: move the words into the catalogue"


def test_every_key_a_template_names_exists():
    keys = set(catalogue(ZH))
    used = set()
    for path in TEMPLATES.rglob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["'](\w[\w.]*\w)["']""", path.read_text(encoding="utf-8")))
    assert used and used - keys == set()


@pytest.mark.parametrize("script, section", [
    ("intake.js", "intake.js."), ("ticket.js", "track."), ("console.js", "console.js."),
    ("console-search.js", "console.js."), ("console-hotline.js", "console.js."), ("console-admin.js", "console.js.")])
def test_every_message_a_page_script_reads_exists(script, section):
    keys = {key[len(section):] for key in catalogue(ZH) if key.startswith(section)}
    used = set(re.findall(r"\bm\.([a-z_0-9]+)", (TEMPLATES / "static" / script).read_text(encoding="utf-8")))
    assert used and used - keys == set()


def test_every_state_kind_label_and_event_is_worded():
    keys = set(catalogue(ZH))
    wanted = {f"status.{s.value}" for s in Status} | {f"kind.{k.value}" for k in Kind} \
        | {f"outcome.{o.value}" for o in Outcome} | {f"rating.{r.value}" for r in Rating} \
        | {f"channel.{c.value}" for c in Channel} | {f"event.{kind}" for kind in EVENT_KINDS} \
        | {label for tabs in CONSOLE_TABS.values() for _, label, _ in tabs} \
        | {f"escalation.{level}" for level in (1, 2, 3)} | {f"stage.{s}" for s in ("triage", "accept", "reply")}
    assert wanted - keys == set()


@pytest.mark.parametrize("header, locale", [("en", EN), ("en-GB,en;q=0.9", EN), ("zh-CN,zh;q=0.9", ZH),
                                            ("", ZH), (None, ZH), ("fr", ZH), ("fr,en;q=0.5", EN)])
def test_a_request_asks_for_a_supported_language(header, locale):
    assert locale_of(header) == locale and locale in LOCALES
