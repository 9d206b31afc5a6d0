"""Riders missing from the feed's last frame, held where their gaps put them: each group says
which of its riders are held and since when, and the group's detail shows it by the rider; a
marked rider lost for longer is said by the race radio."""

from __future__ import annotations

from race.settings import TeamSettings
from race.situation import Situation
from tests.support.frames import T0, frame, new_race, steady
from tui.panels.group import detail_lines


def _rider_1_missing(until_s: float) -> Situation:
    """Rider 1 leads rider 2 by 100 m at 54 km/h; the feed leaves him out after 60 s, until
    120 s (within `hold_missing_s`): the situation at `until_s`."""
    race = new_race()
    situation = race.situation
    for t, kms in steady(0, until_s, 6, {1: (5.0, 54.0), 2: (5.1, 54.0)}):
        shown = {b: km for b, km in kms.items() if km is not None and not (b == 1 and 60 < t < 120)}
        situation = race.apply(frame(t, shown, speed_kmh={b: 54.0 for b in shown}))
    return situation


def test_a_rider_held_is_said_by_his_group_with_his_last_fix() -> None:
    # Held where he was last seen (lost more than 3 km out), rider 2 comes up to him: they
    # read as one group, rider 1 held in it.
    situation = _rider_1_missing(90)
    (group,) = situation.groups
    assert group.riders == (2, 1)
    assert group.held == ((1, T0 + 60),)
    assert group.unseen_since_t is None, "rider 2 is seen"
    _, rows = detail_lines(situation, group, None, 80)
    row = next(r.plain for r in rows if r.plain.lstrip().startswith("1 "))
    assert row.endswith("not seen 0:30")
    assert "not seen" not in next(r.plain for r in rows if r.plain.lstrip().startswith("2 "))


def test_a_rider_sent_again_is_no_longer_held() -> None:
    situation = _rider_1_missing(150)
    assert all(group.held == () for group in situation.groups)


def test_a_marked_rider_the_feed_loses_is_said_once_dropped() -> None:
    """Rider 1, marked, no longer sent from 4.5 km out (outside the 3 km rule): held
    `hold_missing_s`, then dropped, and the race radio says it once."""
    race = new_race(team=TeamSettings(marked=(1,)))
    situation = race.situation
    for t, kms in steady(0, 300, 6, {1: (5.0, 54.0), 2: (5.1, 54.0)}):
        shown = {b: km for b, km in kms.items() if km is not None and not (b == 1 and km < 4.5)}
        situation = race.apply(frame(t, shown, speed_kmh={b: 54.0 for b in shown}))
    said = [(a.t - T0, a.text) for a in situation.alerts if a.kind == "rider_lost"]
    assert said == [(126.0, "The feed lost F. R1 4.6 km out: not sent for 1:36, no longer placed")]
    assert [rider.bib for rider in situation.lost] == [1]
