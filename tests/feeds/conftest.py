"""The simulated stages the simulator's tests read, played once per test process: several test
modules (`test_simulated_*.py`) check the same runs."""

from __future__ import annotations

import pytest

from tests.support.simulated_runs import Run, play


@pytest.fixture(scope="session")
def flat() -> Run:
    """The default flat stage, without GPS noise so that positions can be projected exactly."""
    return play("flat", noise_m=0, project=True)


@pytest.fixture(scope="session")
def mountain() -> Run:
    return play("mountain")
