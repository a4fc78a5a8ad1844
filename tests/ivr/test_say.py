"""Saying digits, numbers, money, dates and times from fragments, in Mandarin and English."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from boardlib.errors import SignalFormatError
from boardlib.ivr import luhn_ok, say
from boardlib.ivr.say import VOCABULARY


def spoken(kind: str, value: object, lang: str) -> str:
    words = [VOCABULARY[lang][f] for f in say(kind, value, lang)]
    return "".join(words) if lang == "zh" else " ".join(words)


@pytest.mark.parametrize("value,zh", [
    (0, "零"), (10, "十"), (15, "十五"), (101, "一百零一"), (110, "一百一十"), (1001, "一千零一"),
    (10010, "一万零一十"), (100000, "十万"), (20030, "二万零三十"), (100000001, "一亿零一"),
    ("12345.67", "一万二千三百四十五点六七"), (-3, "负三"),
])
def test_mandarin_numbers(value: object, zh: str) -> None:
    assert spoken("number", value, "zh") == zh


@pytest.mark.parametrize("value,en", [
    (0, "zero"), (15, "fifteen"), (101, "one hundred one"), (2048, "two thousand forty eight"),
    (1000000, "one million"), ("7.1234", "seven point one two three four"),
])
def test_english_numbers(value: object, en: str) -> None:
    assert spoken("number", value, "en") == en


@pytest.mark.parametrize("value,zh,en", [
    ("12345.67", "一万二千三百四十五元六角七分",
     "twelve thousand three hundred forty five point six seven yuan"),
    ("100", "一百元整", "one hundred yuan"),
    ("10.05", "十元零五分", "ten point zero five yuan"),
    ("0.30", "三角", "zero point three yuan"),
])
def test_money(value: str, zh: str, en: str) -> None:
    assert spoken("money", value, "zh") == zh
    assert spoken("money", value, "en") == en


def test_dates_and_times() -> None:
    assert spoken("date", "2026-11-25", "zh") == "二零二六年十一月二十五日"
    assert spoken("date", "2026-11-05", "en") == "November five two thousand twenty six"
    assert spoken("time", "10:05", "zh") == "十点零五分"
    assert spoken("time", "09:00", "en") == "nine o'clock"
    assert spoken("time", "21:30", "en") == "twenty one thirty"


def test_digits_are_read_one_by_one() -> None:
    assert spoken("digits", "6222", "zh") == "六二二二"


@pytest.mark.parametrize("kind,value", [("number", "abc"), ("money", "inf"), ("date", "2026-13-01"),
                                        ("time", "24:00"), ("number", 10**12), ("fruit", 1)])
def test_values_that_cannot_be_said_are_rejected(kind: str, value: object) -> None:
    with pytest.raises(SignalFormatError):
        say(kind, value, "zh")


@given(st.integers(min_value=-(10**12) + 1, max_value=10**12 - 1),
       st.integers(min_value=0, max_value=99), st.sampled_from(["zh", "en"]))
def test_any_number_or_amount_uses_only_recorded_fragments(n: int, cents: int, lang: str) -> None:
    for kind, value in (("number", n), ("money", f"{abs(n)}.{cents:02d}")):
        frags = say(kind, value, lang)
        assert frags and all(f in VOCABULARY[lang] for f in frags)


def test_luhn_accepts_a_valid_card_and_rejects_one_digit_off() -> None:
    assert luhn_ok("6228480044332218")
    assert not luhn_ok("6228480044332219")
    assert not luhn_ok("62284800443322a8")
