"""The IVR engine: flows as data run on any board through the public channel API.

``Engine`` runs TOML flows (:mod:`.flow`) with steps play, menu (dynamic, personal, and
with each customer's shortcuts), collect, collect_secure, host, branch, goto, set, transfer,
record and hangup;
:func:`check_flow` finds problems before deployment; :mod:`.say` builds digits, numbers,
money, dates and times from recorded fragments in Mandarin and English.
"""

from __future__ import annotations

from .check import Issue, check_flow
from .engine import CallReport, Engine, Params, espeak_tts, luhn_ok
from .flow import Flow, FlowError, load_flow, parse_flow
from .host import HttpHost, Secret
from .prompts import PromptSet
from .say import say

__all__ = ["Engine", "Params", "CallReport", "check_flow", "Issue", "Flow", "FlowError",
           "load_flow", "parse_flow", "HttpHost", "Secret", "PromptSet", "say", "luhn_ok",
           "espeak_tts"]
