"""Shared test configuration: hypothesis profiles and helpers for external oracles."""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import HealthCheck, settings

# CI: deterministic, bounded, no deadline (timing belongs in benchmarks/, never in tests).
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# Local exploration: more examples, random seeds.
settings.register_profile("explore", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def require_tool(name: str) -> str:
    """Return the path of an external oracle program.

    The test scripts install every oracle; a missing one is a broken set-up, so it fails
    the test rather than skipping it (set ``BOARDLIB_ALLOW_MISSING_ORACLES=1`` to skip
    instead, on a machine where the oracles cannot be installed).
    """
    path = shutil.which(name)
    if path is None:
        message = f"oracle program {name!r} is not installed (scripts/test.sh installs it)"
        if os.environ.get("BOARDLIB_ALLOW_MISSING_ORACLES") == "1":
            pytest.skip(message)
        pytest.fail(message)
    return path
