"""The narrative templates: both languages have the same keys, every key the deck code names
exists, data stays data, and undefined names fail loudly."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest
import yaml

from shopreport.deck.narrative import Narrator

ROOT = Path(__file__).resolve().parents[1]
NARRATIVE = ROOT / "templates" / "narrative"


def load(language: str) -> dict:
    return yaml.safe_load((NARRATIVE / f"{language}.yaml").read_text(encoding="utf-8"))


def test_languages_have_the_same_keys():
    zh, en = load("zh-CN"), load("en")
    assert set(zh) == set(en)
    assert set(zh["words"]) == set(en["words"])


def test_every_key_the_deck_code_names_exists():
    code = "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "src" / "shopreport" / "deck").glob("*.py")
    )
    words = set(re.findall(r'say\.word\("([a-z0-9_]+)"\)', code))
    sentences = set(re.findall(r'say\.say\(\s*"([a-z0-9_]+)"', code))
    zh = load("zh-CN")
    assert words - set(zh["words"]) == set()
    assert sentences - set(zh) == set()


def test_values_are_values_not_template_code():
    say = Narrator("zh-CN", "¥")
    text = say.say("category_top", name="{{ 7*7 }}礼盒", share=0.5, gmv=1000)
    assert "{{ 7*7 }}礼盒" in text and "49" not in text


def test_undefined_names_fail_loudly():
    say = Narrator("en", "$")
    with pytest.raises(jinja2.UndefinedError):
        say.say("category_top", name="x", share=0.5)  # gmv missing


def test_numbers_in_the_register_of_the_source_decks():
    say = Narrator("zh-CN", "¥")
    assert say.say(
        "gmv_summary", gmv=12_345_678, mom=0.123, yoy=-0.05, att=None, target=None, progress=None
    ) == ("本月GMV ¥1,234.6万，环比增长12.3%，同比下降5.0%。")
    assert (
        say.say(
            "card_customers",
            returning=0.295,
            returning_delta=-0.011,
            repurchase=0.029,
            refund=None,
            refund_delta=None,
        )
        == "老买家占比29.5%，较上月下降1.1个百分点；复购率2.9%。"
    )
