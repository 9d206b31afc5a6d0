"""The time limit's view of the road still to come: the terrain's loads and effort, the winner's
forecast, and a group's losses learned from its own gaps.

Synthetic stages and loads: every number here can be worked out by hand.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from race.timelimit.forecast import Load, Terrain, forecast_winner_time, speed_factor
from race.timelimit.losses import DEGENKOLB_S_PER_PCT_KM, LossModel
from tests.support.timelimit import stage

# --- The road still to come ----------------------------------------------------------------


def test_terrain_loads_count_gradient_beyond_the_thresholds() -> None:
    # 10 km flat, 5 km at 8 %, 5 km at -6 %: climbing (8 - 2) x 5, descending (6 - 2) x 5.
    terrain = Terrain(stage((10, 0), (5, 8), (5, -6)))
    whole = terrain.load(0, 20)
    assert whole.climb == pytest.approx(30.0, abs=0.01)
    assert whole.descent == pytest.approx(20.0, abs=0.01)
    assert whole.length == 20
    assert terrain.load(0, 10) == Load(0.0, 10, 0.0, flat=10.0)
    assert terrain.load(0, 20).flat == pytest.approx(10.0, abs=0.01)
    assert terrain.load(11, 13).climb == pytest.approx(12.0, abs=0.01)
    # Off the profile the road counts as flat.
    assert terrain.load(20, 25).climb == 0
    assert terrain.effort(25) - terrain.effort(20) == pytest.approx(5.0)


def test_terrain_effort_weights_each_km_by_the_gradient() -> None:
    terrain = Terrain(stage((10, 0), (10, 7)))
    assert terrain.effort(10) == pytest.approx(10.0)
    assert terrain.effort(20) - terrain.effort(10) == pytest.approx(10 / speed_factor(7.0))
    assert speed_factor(7.0) == pytest.approx(0.505, abs=0.001)


def test_a_stage_without_profile_is_flat() -> None:
    terrain = Terrain(stage(distance_km=150.0))
    assert not terrain.usable
    assert terrain.load(0, 150) == Load(0.0, 150.0, 0.0, flat=150.0)
    assert terrain.effort(150) == pytest.approx(150.0)


def test_winner_forecast_at_a_steady_speed_is_exact() -> None:
    terrain = Terrain(stage((100, 0)))
    # 40 km in an hour on the flat: 100 km in 2.5 h.
    assert forecast_winner_time(terrain, 100, 3600, 40) == pytest.approx(9000)
    assert forecast_winner_time(terrain, 100, 3600, 0.3) is None
    assert forecast_winner_time(terrain, 100, 0, 40) is None


def test_winner_forecast_slows_down_for_the_climb_to_come() -> None:
    terrain = Terrain(stage((50, 0), (10, 7)))
    flat_only = 3600 * 60 / 40  # 40 km/h carried over 60 km, ignoring the climb
    forecast = forecast_winner_time(terrain, 60, 3600, 40)
    assert forecast is not None
    assert forecast > flat_only
    assert forecast == pytest.approx(3600 * (50 + 10 / speed_factor(7)) / 40)


# --- A group's learned losses --------------------------------------------------------------


def test_loss_model_without_data_is_its_prior() -> None:
    model = LossModel(prior=(DEGENKOLB_S_PER_PCT_KM, 0.0, -1.0))
    a, c, b = model.coefficients()
    assert (a, c, b) == pytest.approx((DEGENKOLB_S_PER_PCT_KM, 0.0, -1.0))
    # 10 km at 8 %: about a minute per km, Degenkolb's rule of thumb.
    assert model.loss(Load(climb=60.0, length=10.0, descent=0.0)) == pytest.approx(600.0)


@given(
    a=st.floats(min_value=2.0, max_value=15.0),
    b=st.floats(min_value=-3.0, max_value=1.0),
    c=st.floats(min_value=-1.0, max_value=2.0),
)
def test_loss_model_learns_a_groups_pace_from_its_gaps(a: float, b: float, c: float) -> None:
    model = LossModel()
    # Mountains: 5 km climbs at 7 %, 5 km descents at -6 %, 5 km of flat, in 250 m stretches.
    leg = [Load(1.25, 0.25, 0.0)] * 20 + [Load(0.0, 0.25, 1.0)] * 20
    leg += [Load(0.0, 0.25, 0.0, flat=0.25)] * 20
    for load in leg * 8:
        model.add(load, a * load.climb + c * load.flat + b * load.descent)
    # The prior (no loss anywhere) still counts, as a few km of data: the fit of the climbs
    # and descents is much nearer what the group showed than the prior is. A loss on the flat
    # must be shown over a long road (it is carried over every flat km left): after 40 km of
    # flat, 10 of them recent, it is only part of the way there.
    fitted_a, fitted_c, fitted_b = model.coefficients()
    assert abs(fitted_a - a) <= 0.3 * abs(a) + 0.02
    assert abs(fitted_b - b) <= 0.3 * abs(b) + 0.02
    assert abs(fitted_c - c) <= 0.7 * abs(c) + 0.02


def test_loss_model_does_not_depend_on_the_sampling() -> None:
    coarse, fine = LossModel(), LossModel()
    for _ in range(10):
        coarse.add(Load(5.0, 1.0, 0.0), 50.0)
        coarse.add(Load(0.0, 1.0, 0.0, flat=1.0), 2.0)
        for _ in range(4):
            fine.add(Load(1.25, 0.25, 0.0), 12.5)
            fine.add(Load(0.0, 0.25, 0.0, flat=0.25), 0.5)
    assert coarse.coefficients() == pytest.approx(fine.coefficients(), rel=0.02)


def test_loss_model_forgets_what_a_group_showed_long_ago() -> None:
    tiring, recovering = LossModel(), LossModel()
    for first, then, model in ((5.0, 12.0, tiring), (12.0, 5.0, recovering)):
        for rate in (first, then):  # 20 km of climbing losing `rate` s per %·km
            for _ in range(80):
                model.add(Load(1.25, 0.25, 0.0), rate * 1.25)
    # The same road, the same losses in another order: what it shows now weighs more.
    assert tiring.coefficients()[0] - recovering.coefficients()[0] > 1.0
