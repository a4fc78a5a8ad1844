"""The MFC-R2 protocol core on its own: two machines back to back on a virtual clock.

No audio and no board: line signals and register signals travel through ``tests.r2.link``
with fixed delays, so whole calls, every timer and every error path run in microseconds.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from boardlib.errors import SignalFormatError
from boardlib.r2.protocol import (
    STATES,
    TIMERS,
    VARIANTS,
    Accepted,
    Answered,
    Blocked,
    Cleared,
    Offered,
    R2Machine,
    SendTone,
    SetCas,
    StartTimer,
    digit_signal,
    get_variant,
    signal_digit,
)
from boardlib.states import HangupCause

from .link import Link

ANI = "13800138000"
DNIS = "8001"


def pair(variant: str = "CN", *, max_dnis: int = 4, **kw: Any) -> tuple[Link, R2Machine, R2Machine]:
    """``a`` = the board (yields on glare), ``b`` = the exchange (max_dnis known)."""
    a = R2Machine(variant)
    b = R2Machine(variant, max_dnis=max_dnis, yield_on_glare=False, **kw)
    link = Link(a, b)
    link.feed("a", a.start())
    link.feed("b", b.start())
    link.run()
    return link, a, b


def tones(link: Link, side: str) -> list[int]:
    return [act.signal for t, s, act in link.trace if s == side and isinstance(act, SendTone)]


def cleared(link: Link, side: str) -> list[Cleared]:
    return [e for e in link.events[side] if isinstance(e, Cleared)]


def timers_started(link: Link, side: str) -> set[str]:
    return {act.name for t, s, act in link.trace if s == side and isinstance(act, StartTimer)}


# ------------------------------------------------------------------ variants as data


def test_china_line_signals_carry_c_and_d_bits_set() -> None:
    cn = VARIANTS["CN"]
    assert cn.line("forward", "idle") == 0b1011
    assert cn.line("forward", "seize") == 0b0011
    assert cn.line("backward", "seize_ack") == 0b1111
    assert cn.line("backward", "answer") == 0b0111
    assert VARIANTS["ITU"].line("forward", "idle") == 0b1001


def test_china_overrides_follow_the_openr2_cn_table() -> None:
    cn, itu = VARIANTS["CN"], VARIANTS["ITU"]
    assert (cn.group_a["next_ani"], cn.group_a["category"]) == (1, 6)
    assert (itu.group_a["next_ani"], itu.group_a["category"]) == (5, 5)
    assert (cn.group_b["accept_charge"], cn.group_b["busy"]) == (1, 2)
    assert (itu.group_b["accept_charge"], itu.group_b["busy"]) == (6, 3)
    assert cn.group_i["no_more_dnis"] is None and itu.group_i["no_more_dnis"] == 15
    assert cn.group_a["address_complete_charge"] is None


def test_variant_lookup_accepts_known_names_and_rejects_others() -> None:
    assert get_variant("cn").name == "CN"
    assert get_variant(VARIANTS["BR"]) is VARIANTS["BR"]
    with pytest.raises(SignalFormatError, match="CN, ITU, BR"):
        get_variant("XX")


def test_variant_rejects_signal_16_and_accepts_15() -> None:
    assert VARIANTS["ITU"].with_overrides(group_b={"busy": 15}).group_b["busy"] == 15
    with pytest.raises(SignalFormatError, match="1..15"):
        VARIANTS["ITU"].with_overrides(group_b={"busy": 16})


def test_variant_rejects_a_zero_timer_and_unknown_timer_names() -> None:
    assert VARIANTS["CN"].with_timers(answer=1).timers["answer"] == 1
    with pytest.raises(SignalFormatError, match="answer"):
        VARIANTS["CN"].with_timers(answer=0)
    with pytest.raises(SignalFormatError, match="unknown"):
        VARIANTS["CN"].with_timers(bogus=5)


def test_digit_signals_map_zero_to_ten() -> None:
    assert [digit_signal(d) for d in "1234567890"] == list(range(1, 11))
    assert "".join(signal_digit(s) for s in range(1, 11)) == "1234567890"
    with pytest.raises(SignalFormatError):
        digit_signal("*")


def test_machine_limits_max_dnis_80_accepted_81_rejected() -> None:
    assert R2Machine("CN", max_dnis=80).max_dnis == 80
    with pytest.raises(SignalFormatError, match="max_dnis"):
        R2Machine("CN", max_dnis=81)


def test_make_call_rejects_non_digits_and_category_16() -> None:
    m = R2Machine("CN")
    with pytest.raises(SignalFormatError, match="dnis"):
        m.make_call("12#4")
    with pytest.raises(SignalFormatError, match="category"):
        m.make_call("1234", ANI, 16)
    assert any(isinstance(a, SetCas) for a in R2Machine("CN").make_call("1234", ANI, 15))


# ------------------------------------------------------------------ whole calls


@pytest.mark.parametrize("variant", ["CN", "ITU", "BR"])
def test_full_call_offers_ani_dnis_category_answers_and_clears_forward(variant: str) -> None:
    link, a, b = pair(variant)
    link.feed("a", a.make_call(DNIS, ANI, 2))
    link.run()
    offered = [e for e in link.events["b"] if isinstance(e, Offered)]
    assert offered == [Offered(ANI, DNIS, 2, 2, False)]
    assert link.events["a"] == [Accepted("accept_charge")]
    link.feed("b", b.answer())
    link.run()
    assert isinstance(link.events["a"][-1], Answered)
    assert (a.state, b.state) == ("answered_out", "answered_in")
    link.feed("a", a.hangup())
    link.run()
    assert cleared(link, "b")[-1].cause is HangupCause.NORMAL_CLEARING
    assert (a.state, b.state) == ("idle", "idle")
    assert "release_guard" in timers_started(link, "b")


def test_china_compelled_sequence_uses_a1_a6_a3_b1() -> None:
    link, a, b = pair("CN", max_dnis=4)
    link.feed("a", a.make_call("8001", "123", 1))
    link.run()
    # forward: 4 DNIS digits, category KA, 3 ANI digits, end of ANI (I-15), category KD
    assert tones(link, "a") == [8, 10, 10, 1, 1, 1, 2, 3, 15, 1]
    # backward: A1 x3, A6 (category + ANI), A1 x4, A3 (change to B), B1 (free)
    assert tones(link, "b") == [1, 1, 1, 6, 1, 1, 1, 1, 3, 1]


def test_itu_compelled_sequence_uses_a5_for_category_and_ani_then_b6() -> None:
    link, a, b = pair("ITU", max_dnis=2)
    link.feed("a", a.make_call("12", "9", 1))
    link.run()
    assert tones(link, "a") == [1, 2, 1, 9, 15, 1]
    assert tones(link, "b") == [1, 5, 5, 5, 3, 6]


def test_china_end_of_dnis_found_by_timeout_then_a6_is_pulsed() -> None:
    link, a, b = pair("CN", max_dnis=20)
    link.feed("a", a.make_call("8001", ANI, 1))
    link.run()
    assert "pulse" in timers_started(link, "b")
    assert [e for e in link.events["b"] if isinstance(e, Offered)][0].dnis == "8001"
    assert link.now > VARIANTS["CN"].timers["mf_back"]


def test_itu_end_of_dnis_signal_15_needs_no_timeout() -> None:
    link, a, b = pair("ITU", max_dnis=20)
    link.feed("a", a.make_call("8001", ANI, 1))
    link.run()
    assert "pulse" not in timers_started(link, "b")
    assert [e for e in link.events["b"] if isinstance(e, Offered)][0].dnis == "8001"


def test_ani_first_variant_collects_ani_after_the_first_digit() -> None:
    var = VARIANTS["CN"].with_overrides(ani_first=True)
    a, b = R2Machine(var), R2Machine(var, max_dnis=4, yield_on_glare=False)
    link = Link(a, b)
    link.feed("a", a.make_call("8001", "55", 1))
    link.run()
    assert tones(link, "b")[:2] == [6, 1]  # category right after the first digit
    assert [e for e in link.events["b"] if isinstance(e, Offered)] == [Offered("55", "8001", 1, 1)]


def test_restricted_caller_sends_i12_and_the_offer_says_so() -> None:
    link, a, b = pair("CN")
    link.feed("a", a.make_call(DNIS, None, 1))
    link.run()
    off = [e for e in link.events["b"] if isinstance(e, Offered)][0]
    assert off.ani == "" and off.ani_restricted
    assert 12 in tones(link, "a")


def test_ani_longer_than_max_ani_stops_at_max_ani() -> None:
    link, a, b = pair("CN", max_ani=4)
    link.feed("a", a.make_call(DNIS, ANI, 1))
    link.run()
    assert [e for e in link.events["b"] if isinstance(e, Offered)][0].ani == ANI[:4]


@pytest.mark.parametrize("meaning,cause", [
    ("busy", HangupCause.USER_BUSY),
    ("unallocated", HangupCause.UNALLOCATED_NUMBER),
    ("congestion", HangupCause.SWITCH_CONGESTION),
    ("out_of_order", HangupCause.DESTINATION_OUT_OF_ORDER),
])
@pytest.mark.parametrize("variant", ["CN", "ITU", "BR"])
def test_group_b_rejection_ends_the_call_with_its_q850_cause(variant: str, meaning: str,
                                                             cause: HangupCause) -> None:
    link, a, b = pair(variant, decide=lambda d, n, c: meaning)
    link.feed("a", a.make_call(DNIS, ANI, 1))
    link.run()
    assert [c.cause for c in cleared(link, "a")] == [cause]
    assert tones(link, "b")[-1] == VARIANTS[variant].group_b[meaning]
    assert not any(isinstance(e, Offered) for e in link.events["b"])
    assert (a.state, b.state) == ("idle", "idle")


def test_unknown_group_b_meaning_from_decide_becomes_congestion() -> None:
    link, a, b = pair("CN", decide=lambda d, n, c: "special_info")  # CN has none
    link.feed("a", a.make_call(DNIS, ANI, 1))
    link.run()
    assert cleared(link, "a")[0].cause is HangupCause.SWITCH_CONGESTION


def test_backward_clear_back_then_forward_clears_forward() -> None:
    link, a, b = pair("CN")
    link.feed("a", a.make_call(DNIS, ANI, 1))
    link.run()
    link.feed("b", b.answer())
    link.run()
    link.feed("b", b.hangup())
    link.run()
    assert cleared(link, "a")[-1].reason == "clear back" and a.state == "clear_back_rxd"
    assert b.state == "clear_back_sent"
    link.feed("a", a.hangup())
    link.run()
    assert (a.state, b.state) == ("idle", "idle")


def test_far_end_clear_forward_during_register_signalling() -> None:
    link, a, b = pair("CN")
    link.feed("a", a.make_call(DNIS, ANI, 1))
    link.run(300)
    assert b.state == "back_mf"
    link.feed("a", a.hangup())
    link.run()
    assert cleared(link, "b")[-1].cause is HangupCause.NORMAL_CLEARING
    assert not any(isinstance(e, Offered) for e in link.events["b"])
    assert (a.state, b.state) == ("idle", "idle")


def test_caller_abandons_after_offer_before_answer() -> None:
    link, a, b = pair("CN")
    link.feed("a", a.make_call(DNIS, ANI, 1))
    link.run()
    assert b.state == "offered"
    link.feed("a", a.hangup())
    link.run()
    assert cleared(link, "b")[-1].reason == "clear forward"
    assert (a.state, b.state) == ("idle", "idle")


def test_glare_the_yielding_end_takes_the_inbound_call() -> None:
    link, a, b = pair("CN")
    link.feed("a", a.make_call("1111", "22", 1))
    link.feed("b", b.make_call(DNIS, ANI, 3))
    link.run()
    glare = cleared(link, "a")[0]
    assert glare.cause is HangupCause.NO_CIRCUIT_AVAILABLE and glare.reason == "glare"
    assert glare.direction == "out"
    assert [e for e in link.events["a"] if isinstance(e, Offered)][0].dnis.startswith(DNIS)
    assert link.events["b"] == [Accepted("accept_charge")]


# ------------------------------------------------------------------ timers


def test_seize_ack_timer_expires_when_the_far_end_never_acknowledges() -> None:
    link, a, b = pair("CN")
    link.deaf_cas.add("a")  # the far end never sees the seizure
    link.feed("a", a.make_call(DNIS, ANI, 1))
    link.run()
    assert cleared(link, "a")[0].cause is HangupCause.RECOVERY_ON_TIMER_EXPIRY
    assert a.state == "idle"


def test_forward_and_backward_mf_timers_expire_when_tones_are_lost() -> None:
    link, a, b = pair("CN")
    link.drop_tones.update({"a", "b"})
    link.feed("a", a.make_call(DNIS, ANI, 1))
    link.run()
    assert cleared(link, "b")[0].reason == "register signalling stalled (backward)"
    assert (a.state, b.state) == ("idle", "idle")
    # the backward side gave up first (2 s) and went idle: the forward side saw it
    assert cleared(link, "a")[0].reason == "far end went idle"


def test_forward_safety_timer_expires_when_backward_never_replies() -> None:
    link, a, b = pair("CN")
    link.drop_tones.add("b")
    fast = VARIANTS["CN"].with_timers(mf_fwd=500)
    a.variant = fast
    link.feed("a", a.make_call(DNIS, ANI, 1))
    link.run()
    assert cleared(link, "a")[0].reason == "register signalling stalled (forward)"
    assert (a.state, b.state) == ("idle", "idle")


def test_answer_timer_expires_with_no_answer() -> None:
    link, a, b = pair("CN")
    a.answer_ms = 5000
    link.feed("a", a.make_call(DNIS, ANI, 1))
    link.run()
    assert cleared(link, "a")[0].cause is HangupCause.NO_ANSWER
    assert cleared(link, "b")[0].reason == "clear forward"
    assert (a.state, b.state) == ("idle", "idle")


def test_clear_forward_timer_frees_the_channel_when_the_far_end_stays_silent() -> None:
    link, a, b = pair("CN")
    link.feed("a", a.make_call(DNIS, ANI, 1))
    link.run()
    link.feed("b", b.answer())
    link.run()
    link.deaf_cas.add("a")
    link.feed("a", a.hangup())
    link.run()
    assert a.state == "idle" and "clear_forward" in timers_started(link, "a")


def test_clear_back_timer_frees_the_channel_when_forward_never_clears() -> None:
    link, a, b = pair("CN")
    link.feed("a", a.make_call(DNIS, ANI, 1))
    link.run()
    link.feed("b", b.answer())
    link.run()
    link.feed("b", b.hangup())
    link.run(40000)
    assert b.state == "idle"  # the forward side never hung up: the clear-back timer freed it
    assert link.now >= VARIANTS["CN"].timers["clear_back"]


def test_every_timer_name_is_exercised_by_the_sequences_above() -> None:
    seen: set[str] = set()
    for variant in ("CN", "ITU"):
        link, a, b = pair(variant, max_dnis=20)
        link.feed("a", a.make_call(DNIS, ANI, 1))
        link.run()
        link.feed("b", b.answer())
        link.run()
        link.feed("a", a.hangup())
        link.run()
        seen |= timers_started(link, "a") | timers_started(link, "b")
    assert set(TIMERS) - seen <= {"clear_back"}


# ------------------------------------------------------------------ unexpected input


def test_answer_bits_while_seizing_are_a_protocol_error() -> None:
    m = R2Machine("CN")
    m.make_call(DNIS, ANI, 1)
    out = m.on_cas(0b0111)
    assert [a.cause for a in out if isinstance(a, Cleared)] == [HangupCause.PROTOCOL_ERROR]
    assert m.state == "clear_fwd_sent"


def test_answer_bits_during_backward_register_signalling_abort_the_call() -> None:
    m = R2Machine("CN")
    m.on_cas(0b0011)  # seized
    out = m.on_cas(0b0111)
    assert [a.cause for a in out if isinstance(a, Cleared)] == [HangupCause.PROTOCOL_ERROR]
    assert m.state == "wait_clear_fwd" and m.protocol_errors == 1


def test_idle_channel_ignores_answer_bits_and_tones() -> None:
    m = R2Machine("CN")
    assert m.on_cas(0b0111) == [] and m.on_tone(5) == [] and m.state == "idle"


def test_unexpected_forward_signal_is_a_protocol_error() -> None:
    m = R2Machine("CN")
    m.on_cas(0b0011)
    out = m.on_tone(13)  # not a digit and no end-of-DNIS in China
    assert [a.cause for a in out if isinstance(a, Cleared)] == [HangupCause.PROTOCOL_ERROR]


def test_tone_signal_outside_1_to_15_is_rejected() -> None:
    with pytest.raises(SignalFormatError, match="1..15"):
        R2Machine("CN").on_tone(16)


def test_stale_timer_is_ignored() -> None:
    m = R2Machine("CN")
    assert m.on_timer("answer") == []


def test_far_end_blocking_blocks_outbound_calls_until_unblocked() -> None:
    link, a, b = pair("CN")
    link.feed("b", b.block())
    link.run()
    assert link.events["a"] == [Blocked(True)] and a.state == "blocked"
    out = a.make_call(DNIS, ANI, 1)
    assert [x.cause for x in out if isinstance(x, Cleared)] == [HangupCause.NO_CIRCUIT_AVAILABLE]
    link.feed("b", b.block(False))
    link.run()
    assert a.state == "idle" and link.events["a"][-1] == Blocked(False)


def test_span_alarm_ends_the_call_and_the_channel_recovers() -> None:
    link, a, b = pair("CN")
    link.feed("a", a.make_call(DNIS, ANI, 1))
    link.run()
    link.feed("b", b.answer())
    link.run()
    out = a.alarm(True)
    assert [x.cause for x in out if isinstance(x, Cleared)] == [HangupCause.NETWORK_OUT_OF_ORDER]
    refused = a.make_call(DNIS, ANI, 1)
    causes = [x.cause for x in refused if isinstance(x, Cleared)]
    assert causes == [HangupCause.NETWORK_OUT_OF_ORDER]
    link.feed("b", b.alarm(True))
    link.feed("a", a.alarm(False))
    link.feed("b", b.alarm(False))
    link.run()
    assert (a.state, b.state) == ("idle", "idle")
    link.feed("a", a.make_call(DNIS, ANI, 1))
    link.run()
    assert b.state == "offered"


# ------------------------------------------------------------------ robustness

_INPUT = st.one_of(
    st.tuples(st.just("cas"), st.integers(0, 15)),
    st.tuples(st.just("tone"), st.one_of(st.none(), st.integers(1, 15))),
    st.tuples(st.just("timer"), st.sampled_from(TIMERS)),
    st.tuples(st.just("call"), st.just(0)),
    st.tuples(st.just("answer"), st.just(0)),
    st.tuples(st.just("hangup"), st.just(0)),
    st.tuples(st.just("alarm"), st.booleans()),
)


@given(st.sampled_from(["CN", "ITU", "BR"]), st.lists(_INPUT, max_size=60))
def test_any_input_sequence_never_crashes_and_hangup_always_frees(variant: str,
                                                                  inputs: list[Any]) -> None:
    m = R2Machine(variant)
    m.start()
    for kind, value in inputs:
        if kind == "cas":
            m.on_cas(value)
        elif kind == "tone":
            m.on_tone(value)
        elif kind == "timer":
            m.on_timer(value)
        elif kind == "call":
            m.make_call(DNIS, ANI, 1)
        elif kind == "answer":
            m.answer()
        elif kind == "hangup":
            m.hangup()
        else:
            m.alarm(value)
        assert m.state in STATES
    # the far end goes idle, the application hangs up, every timer runs out: never stuck
    m.alarm(False)
    m.on_cas(0b1011)
    m.hangup()
    for _ in range(4):
        for name in TIMERS:
            m.on_timer(name)
    assert m.state in ("idle", "blocked")


def test_silent_forward_side_after_ani_request_times_out_into_group_b() -> None:
    m = R2Machine("CN", max_dnis=1)
    m.on_cas(0b0011)
    assert SendTone(6) in m.on_tone(8)  # one-digit number complete: ask for the category
    m.on_tone(None)
    assert SendTone(1) in m.on_tone(1)  # category 1; ask for the first ANI digit
    m.on_tone(None)
    out = m.on_timer("mf_back")  # nothing comes: go on without the calling number
    assert SendTone(3) in out and StartTimer("pulse", 150) in out
    m.on_timer("pulse")
    assert SendTone(1) in m.on_tone(1)  # KD answered with B1
    assert Offered("", "8", 1, 1, True) in m.on_tone(None)


@pytest.mark.parametrize("after_ms", [300, None])
def test_backward_hangup_before_answer_releases_and_the_forward_side_sees_it(
        after_ms: int | None) -> None:
    link, a, b = pair("CN")
    link.feed("a", a.make_call(DNIS, ANI, 1))
    link.run(after_ms or 20000)  # during register signalling, or once offered
    link.feed("b", b.hangup())
    link.run(1000)
    assert cleared(link, "a")[0].reason == "far end went idle"
    assert (a.state, b.state) == ("idle", "idle")
