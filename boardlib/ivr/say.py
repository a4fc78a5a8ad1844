"""Saying values from recorded fragments: digits, numbers, money, dates and times.

Each function turns a value into the list of fragment names a prompt set of that language
must hold (``zh``: Mandarin, ``en``: English). :data:`VOCABULARY` maps every fragment name a
language can need to the text it is recorded from, so a prompt set can be generated and
checked against it.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal, InvalidOperation

from ..errors import SignalFormatError

__all__ = ["LANGUAGES", "KINDS", "VOCABULARY", "say", "say_digits", "say_number", "say_money",
           "say_date", "say_time"]

LANGUAGES = ("zh", "en")
KINDS = ("digits", "number", "money", "date", "time")

_ZH_DIGITS = "零一二三四五六七八九"
_EN_SMALL = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
             "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
             "eighteen", "nineteen"]
_EN_TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy",
            80: "eighty", 90: "ninety"}
_EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]

#: Fragment name -> text, per language (the engine's own words come from the engine module).
VOCABULARY: dict[str, dict[str, str]] = {
    "zh": {
        **{f"n{i}": _ZH_DIGITS[i] for i in range(10)},
        "yao": "幺", "shi": "十", "bai": "百", "qian": "千", "wan": "万", "yi": "亿",
        "dian": "点", "fu": "负", "yuan": "元", "jiao": "角", "fen": "分", "zheng": "整",
        "nian": "年", "yue": "月", "ri": "日", "shi_hour": "点", "fen_minute": "分",
    },
    "en": {
        **{f"n{i}": w for i, w in enumerate(_EN_SMALL)},
        **{f"n{k}": w for k, w in _EN_TENS.items()},
        "hundred": "hundred", "thousand": "thousand", "million": "million",
        "billion": "billion", "point": "point", "minus": "minus", "yuan": "yuan",
        "and": "and", "oclock": "o'clock", "oh": "oh",
        **{f"month{i + 1}": m for i, m in enumerate(_EN_MONTHS)},
    },
}


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise SignalFormatError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")


def say_digits(value: object, lang: str) -> list[str]:
    """Digit by digit ("6222" -> six two two two); other characters are skipped."""
    _check_lang(lang)
    return [f"n{c}" for c in str(value) if c.isdigit()]


def _zh_below_10000(n: int, leading: bool) -> list[str]:
    out: list[str] = []
    units = [(1000, "qian"), (100, "bai"), (10, "shi")]
    zero_pending = False
    started = False
    for size, unit in units:
        d = n // size
        n %= size
        if d:
            if zero_pending:
                out.append("n0")
                zero_pending = False
            if not (size == 10 and d == 1 and leading and not started):
                out.append(f"n{d}")
            out.append(unit)
            started = True
        elif started or not leading:
            zero_pending = True
    if n:
        if zero_pending and (started or not leading):
            out.append("n0")
        out.append(f"n{n}")
    return out


def _zh_integer(n: int) -> list[str]:
    if n == 0:
        return ["n0"]
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    if len(groups) > 3:
        raise SignalFormatError("numbers to say must be below 10^12")
    out: list[str] = []
    names = ["", "wan", "yi"]
    first = True
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            continue
        if not first and g < 1000:
            out.append("n0")
        out += _zh_below_10000(g, leading=first)
        if names[i]:
            out.append(names[i])
        first = False
    # collapse doubled zeros
    clean: list[str] = []
    for w in out:
        if w == "n0" and clean and clean[-1] == "n0":
            continue
        clean.append(w)
    return clean


def _en_below_1000(n: int) -> list[str]:
    out: list[str] = []
    if n >= 100:
        out += [f"n{n // 100}", "hundred"]
        n %= 100
    if n >= 20:
        out.append(f"n{n - n % 10}")
        n %= 10
        if n:
            out.append(f"n{n}")
    elif n or not out:
        out.append(f"n{n}")
    return out


def _en_integer(n: int) -> list[str]:
    if n == 0:
        return ["n0"]
    if n >= 10**12:
        raise SignalFormatError("numbers to say must be below 10^12")
    out: list[str] = []
    for size, name in ((10**9, "billion"), (10**6, "million"), (1000, "thousand")):
        if n >= size:
            out += _en_below_1000(n // size) + [name]
            n %= size
    if n:
        out += _en_below_1000(n)
    return out


def _decimal(value: object, what: str) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise SignalFormatError(f"{what} to say must be a number, got {value!r}") from None
    if not d.is_finite():
        raise SignalFormatError(f"{what} to say must be finite, got {value!r}")
    return d


def say_number(value: object, lang: str) -> list[str]:
    """A number, with a decimal part read digit by digit after "point"."""
    _check_lang(lang)
    d = _decimal(value, "number")
    out = ["fu" if lang == "zh" else "minus"] if d < 0 else []
    d = abs(d)
    whole = int(d)
    out += _zh_integer(whole) if lang == "zh" else _en_integer(whole)
    frac = format(d - whole, "f").partition(".")[2].rstrip("0")
    if frac:
        out.append("dian" if lang == "zh" else "point")
        out += [f"n{c}" for c in frac]
    return out


def say_money(value: object, lang: str) -> list[str]:
    """An amount in yuan rounded to the fen: 元/角/分 in Mandarin, "point ... yuan" in English."""
    _check_lang(lang)
    d = _decimal(value, "amount").quantize(Decimal("0.01"))
    neg = d < 0
    d = abs(d)
    yuan = int(d)
    fen_total = int((d - yuan) * 100)
    jiao, fen = divmod(fen_total, 10)
    if lang == "en":
        out = ["minus"] if neg else []
        out += _en_integer(yuan)
        if fen_total:
            out += ["point", f"n{jiao}"] + ([f"n{fen}"] if fen else [])
        return out + ["yuan"]
    out = ["fu"] if neg else []
    if yuan or not fen_total:
        out += _zh_integer(yuan) + ["yuan"]
    if jiao:
        out += [f"n{jiao}", "jiao"]
    elif fen and yuan:
        out.append("n0")
    if fen:
        out += [f"n{fen}", "fen"]
    if not fen_total:
        out.append("zheng")
    return out


def _as_date(value: object) -> _dt.date:
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise SignalFormatError(f"date to say must be YYYY-MM-DD, got {value!r}") from None


def say_date(value: object, lang: str) -> list[str]:
    """A date: 二零二六年十一月二十五日 / November twenty five, two thousand twenty six."""
    _check_lang(lang)
    d = _as_date(value)
    if lang == "zh":
        return say_digits(f"{d.year:04d}", lang) + ["nian"] + _zh_integer(d.month) + ["yue"] + \
            _zh_integer(d.day) + ["ri"]
    return [f"month{d.month}"] + _en_integer(d.day) + _en_integer(d.year)


def say_time(value: object, lang: str) -> list[str]:
    """A time of day (``HH:MM``): 十点三十分 / ten thirty, ten o'clock, ten oh five."""
    _check_lang(lang)
    if isinstance(value, (_dt.time, _dt.datetime)):
        h, m = value.hour, value.minute
    else:
        hh, _, mm = str(value).partition(":")
        if not (hh.isdigit() and mm[:2].isdigit() and int(hh) < 24 and int(mm[:2]) < 60):
            raise SignalFormatError(f"time to say must be HH:MM, got {value!r}")
        h, m = int(hh), int(mm[:2])
    if lang == "zh":
        out = _zh_integer(h) + ["shi_hour"]
        if m:
            out += (["n0"] if m < 10 else []) + _zh_integer(m) + ["fen_minute"]
        return out
    out = _en_integer(h)
    if m == 0:
        return out + ["oclock"]
    return out + (["oh"] if m < 10 else []) + _en_integer(m)


_SAYERS = {"digits": say_digits, "number": say_number, "money": say_money, "date": say_date,
           "time": say_time}


def say(kind: str, value: object, lang: str) -> list[str]:
    """Fragments for ``value`` said as ``kind`` (one of :data:`KINDS`)."""
    try:
        fn = _SAYERS[kind]
    except KeyError:
        raise SignalFormatError(
            f"say kind must be one of {', '.join(KINDS)}, got {kind!r}") from None
    return fn(value, lang)
