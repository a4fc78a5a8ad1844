"""Tone profiles are data: presets from the standards, validation, dict/TOML round trips."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from boardlib.dsp.specs import PROFILES, SPECIAL_TONES, ToneProfile, ToneSpec, ToneStep, get_profile
from boardlib.errors import SignalFormatError


def test_china_is_the_default_profile_with_the_national_figures() -> None:
    cn = get_profile("cn")
    assert cn["dial"].frequencies_hz == (450.0,) and cn["dial"].period_ms is None
    assert [s.duration_ms for s in cn["busy"].steps] == [350.0, 350.0]
    assert [s.duration_ms for s in cn["ringback"].steps] == [1000.0, 4000.0]
    assert [s.duration_ms for s in cn["congestion"].steps] == [700.0, 700.0]
    assert [s.duration_ms for s in cn["call_waiting"].steps] == [400.0, 4000.0]
    assert cn["howler"].frequencies_hz == (950.0,)
    assert cn.ring_cadence_ms == ((1000.0, 4000.0),)


def test_north_american_tones_are_dual_frequency() -> None:
    us = get_profile("us")
    assert us["dial"].frequencies_hz == (350.0, 440.0)
    assert us["busy"].frequencies_hz == (480.0, 620.0)
    assert us["ringback"].period_ms == 6000.0


def test_special_tones_cover_fax_modem_and_sit() -> None:
    assert SPECIAL_TONES["cng"].frequencies_hz == (1100.0,)
    assert SPECIAL_TONES["ced"].steps[0].silent and SPECIAL_TONES["ced"].steps[0].duration_ms == 200
    assert SPECIAL_TONES["ansam"].steps[0].am_hz == 15.0
    assert SPECIAL_TONES["ans_pr"].steps[0].reversal_ms == 450.0
    sit = SPECIAL_TONES["sit"].steps[:3]
    assert [s.frequencies_hz for s in sit] == [(950.0,), (1400.0,), (1800.0,)]


def test_unknown_profile_and_tone_names_list_the_known_ones() -> None:
    with pytest.raises(SignalFormatError, match="cn"):
        get_profile("xx")
    with pytest.raises(SignalFormatError, match="busy"):
        get_profile("cn")["nosuchtone"]


@pytest.mark.parametrize("bad", [
    {"frequencies_hz": [float("nan")]},
    {"frequencies_hz": [-5]},
    {"frequencies_hz": [450], "cadence_ms": [[-1, 100]]},
    {"frequencies_hz": [450], "cadence_ms": [[0, 0]]},
    {"frequencies_hz": [450], "level_dbm0": 10},
    {"frequencies_hz": [450], "cadence_ms": [[100]]},
    {"frequencies_hz": [450], "colour": "red"},
    {"cadence_ms": [[100, 100]]},
    {"frequencies_hz": [450, 900], "level_dbm0": [-10]},
])
def test_impossible_tone_definitions_are_rejected_naming_the_field(bad: dict) -> None:
    with pytest.raises(SignalFormatError):
        ToneSpec.from_dict("t", bad)


def test_only_the_last_step_may_be_endless() -> None:
    with pytest.raises(SignalFormatError, match="last step"):
        ToneSpec("t", (ToneStep((450,), None), ToneStep((), 100)))


@pytest.mark.parametrize("profile", list(PROFILES))
def test_every_builtin_tone_survives_a_dict_round_trip(profile: str) -> None:
    for name, tone in PROFILES[profile].tones.items():
        assert ToneSpec.from_dict(name, tone.to_dict()) == tone


def test_profile_loads_from_toml(tmp_path: Path) -> None:
    f = tmp_path / "lab.toml"
    f.write_text('name = "lab"\nring_cadence_ms = [[800, 3200]]\n'
                 '[tones.busy]\nfrequencies_hz = [425]\ncadence_ms = [[500, 500]]\n'
                 'level_dbm0 = -10\n'
                 '[tones.dial]\nfrequencies_hz = [425]\n')
    prof = ToneProfile.from_toml(f)
    assert prof.name == "lab" and prof.ring_cadence_ms == ((800, 3200),)
    assert prof["busy"].period_ms == 1000.0 and math.isclose(prof["busy"].steps[0].levels()[0], -10)
    assert prof["dial"].period_ms is None


def test_broken_toml_is_a_signal_format_error(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text("[tones.busy\n")
    with pytest.raises(SignalFormatError, match="bad.toml"):
        ToneProfile.from_toml(f)
