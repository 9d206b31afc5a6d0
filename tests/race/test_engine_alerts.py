"""The engine's alerts on made-up frames: a break formed and caught (naming only the riders
caught), the gaps they quote, a gap closing, a marked rider dropped, and nothing on a short
noisy start.

Each test builds the few frames it needs, so that what is checked is plain to see.
"""

from __future__ import annotations

from race.settings import TeamSettings
from race.situation import Situation
from race.wording import clock, signed_clock
from tests.support.frames import T0, frame, new_race, ride, steady


def test_break_formed_and_caught_are_announced_once() -> None:
    race = new_race()
    bunch = {b: (101.0, 50.0) for b in range(2, 26)}
    situation = ride(race, steady(0, 1300, 6, {1: (100.0, 40.0)} | bunch))
    formed = [a for a in situation.alerts if a.kind == "break_formed"]
    caught = [a for a in situation.alerts if a.kind == "break_caught"]
    assert len(formed) == 1
    assert "F. R1" in formed[0].text
    assert len(caught) == 1
    assert "km to go" in caught[0].text


def test_caught_names_only_the_riders_in_the_catching_group() -> None:
    """A break of three splits: two are caught while the third stays away. The catch names the
    two, says who is still away, and the third is announced caught only when he is."""
    race = new_race()
    bunch = {b: (101.0, 50.0) for b in range(4, 30)}
    riders = {1: (100.0, 46.0), 2: (100.0, 40.0), 3: (100.0, 40.0)} | bunch
    caught_in: list[tuple[str, set[int]]] = []
    for t, kms in steady(0, 1300, 6, riders):
        situation = race.apply(frame(t, kms, speed_kmh={b: 45.0 for b in kms}))
        for alert in situation.alerts[len(situation.alerts) - situation.new_alerts :]:
            if alert.kind == "break_caught":
                peloton = next(g for g in situation.groups if g.kind == "peloton")
                caught_in.append((alert.text, set(peloton.riders)))
    formed = [a for a in situation.alerts if a.kind == "break_formed"]
    assert len(formed) == 1  # the break splitting is not a new break
    assert [text.split(" caught at ")[0] for text, _ in caught_in] == ["F. R2, F. R3", "F. R1"]
    first, in_peloton = caught_in[0]
    assert first.endswith("; F. R1 still away")
    assert {2, 3} <= in_peloton
    assert 1 not in in_peloton
    assert 1 in caught_in[1][1]


def test_alert_gaps_are_the_tables_or_say_what_they_are() -> None:
    race = new_race()
    riders = {1: (100.0, 45.0), 2: (100.5, 45.0)} | {b: (101.5, 45.0) for b in range(3, 30)}
    situation = race.situation
    said: dict[str, tuple[str, Situation]] = {}
    for t, kms in steady(0, 120, 6, riders):
        situation = race.apply(frame(t, kms, speed_kmh={b: 45.0 for b in kms}))
        for alert in situation.alerts[len(situation.alerts) - situation.new_alerts :]:
            said[alert.text.split(" (")[0].split(",")[0]] = (alert.text, situation)
    head_text, at_head = said["Break: F. R1"]
    # The head's lead on the peloton is the peloton's gap in the table, said in words.
    peloton = at_head.groups[2]
    assert peloton.kind == "peloton"
    assert head_text.startswith(f"Break: F. R1, {clock(peloton.gap_s)} clear of the peloton")
    # A break behind the head: its table gap, signed, then its lead in words.
    chase_text, at_chase = said["Break: F. R2"]
    chase, peloton = at_chase.groups[1], at_chase.groups[2]
    assert chase.kind == "chase"
    assert chase_text.startswith(
        f"Break: F. R2 ({signed_clock(chase.gap_s)}), "
        f"{clock(peloton.gap_s - chase.gap_s)} clear of the peloton"
    )
    assert not any("on the peloton" in a.text for a in situation.alerts)


def test_gap_closing_is_announced_on_a_settled_trend() -> None:
    race = new_race()
    bunch = {b: (103.0, 50.0) for b in range(2, 26)}
    situation = ride(race, steady(0, 900, 6, {1: (100.0, 40.0)} | bunch))
    closing = [a for a in situation.alerts if a.kind == "gap_closing"]
    assert len(closing) == 1
    assert "s/10 km" in closing[0].text
    # Not before the trend had 5 km behind it.
    assert closing[0].t - T0 >= 5 / 50 * 3600


def test_marked_rider_dropped_from_his_group() -> None:
    race = new_race(team=TeamSettings(marked=(9,)))
    bunch = {b: (100.0, 45.0) for b in range(1, 25)}
    positions = steady(0, 300, 6, bunch)
    for i, (_, kms) in enumerate(positions):
        km = kms[9]
        assert km is not None
        kms[9] = round(km + max(0, i - 20) * 0.01, 2)  # he loses 10 m a frame from 2 min
    situation = ride(race, positions)
    dropped = [a for a in situation.alerts if a.kind == "rider_dropped"]
    assert len(dropped) == 1
    assert "F. R9 dropped from the peloton" in dropped[0].text


def test_no_gap_alert_on_a_short_noisy_start() -> None:
    race = new_race()
    bunch = {b: (100.6, 45.0) for b in range(2, 26)}
    positions = steady(0, 300, 6, {1: (100.0, 45.0)} | bunch)
    for i, (_, kms) in enumerate(positions):
        kms[1] = round((kms[1] or 0) - (0.05 if i % 3 == 0 else 0), 2)
    situation = ride(race, positions)
    assert not [a for a in situation.alerts if a.kind.startswith("gap_")]
