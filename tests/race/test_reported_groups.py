"""The organiser's own groups and weather in the engine (`race.reported`): the cross-check line
each frame, the organiser's groups when the rider telemetry is missing, the weather ahead."""

from __future__ import annotations

import pytest

from race.engine import Race
from race.models import (
    ReportedGroup,
    ReportedGroups,
    RiderFix,
    StartList,
    Telemetry,
    Weather,
    WeatherReading,
)
from race.reported import FRESH_S, SILENT_S, Reports, disagreement
from race.situation import GroupKind, GroupView, Situation
from tests.support.frames import DISTANCE, T0, new_race, ride, start_list, steady
from tests.support.stages import engine_settings

HEAD_AND_PELOTON = {1: (100.0, 45.0)} | {b: (100.75, 45.0) for b in range(2, 26)}
"""Rider 1 alone 60 s ahead of riders 2-25, at 45 km/h."""


def reported(
    t: float, *groups: tuple[str, tuple[int, ...], int | None, float | None]
) -> ReportedGroups:
    """The organiser's groups at `T0 + t`: (name, bibs, size, gap_s), front first."""
    return ReportedGroups(
        t=T0 + t,
        groups=tuple(
            ReportedGroup(name=name, order=i, bibs=bibs, size=size, gap_s=gap)
            for i, (name, bibs, size, gap) in enumerate(groups)
        ),
    )


def onwards(from_s: float, to_s: float) -> list[tuple[float, dict[int, float | None]]]:
    """The riders of `HEAD_AND_PELOTON` riding on from `from_s` to `to_s`."""
    return [(t, kms) for t, kms in steady(0, to_s, 6, HEAD_AND_PELOTON) if t >= from_s]


def racing(until_s: float = 600.0) -> tuple[Race, Situation]:
    race = new_race()
    situation = ride(race, steady(0, until_s, 6, HEAD_AND_PELOTON))
    assert [g.kind for g in situation.groups] == ["head", "peloton"]
    assert situation.groups[1].gap_s == pytest.approx(60, abs=0.5)
    return race, situation


def test_groups_that_agree_say_nothing() -> None:
    race, _ = racing()
    # 20 s off on the peloton: within the 30 s tolerance.
    situation = race.apply(
        reported(600, ("Échappée", (1,), 1, 0.0), ("Peloton", (2, 3), 999, 80.0))
    )
    assert situation.organiser_check is None
    assert situation.organiser_groups == ()
    assert situation.new_alerts == 0
    situation = ride(race, onwards(606, 630))
    assert situation.organiser_check is None
    assert situation.to_json_dict()["organiser_check"] is None


def test_a_gap_beyond_the_tolerance_is_one_line_while_the_report_is_fresh() -> None:
    race, before = racing()
    situation = race.apply(
        reported(600, ("Échappée", (1,), 1, 0.0), ("Peloton", (2, 3), None, 130.0))
    )
    line = "Organiser: 2 groups, Peloton +2:10 (Ardoise +1:00)"
    assert situation.organiser_check == line
    # The report changes nothing of Ardoise's own analysis.
    assert situation.groups == before.groups
    assert situation.alerts == before.alerts
    # Compared again with every frame.
    situation = ride(race, onwards(606, 600 + FRESH_S))
    assert situation.organiser_check == line
    assert situation.to_json_dict()["organiser_check"] == line
    # Too old to compare: said no more.
    situation = ride(race, onwards(606 + FRESH_S, 612 + FRESH_S))
    assert situation.organiser_check is None


def test_more_groups_ahead_of_the_peloton_is_said() -> None:
    race, _ = racing()
    situation = race.apply(
        reported(
            600,
            ("Tête de course", (1,), 1, 0.0),
            ("Contre-attaque", (), 4, 25.0),
            ("Peloton", (), 170, 65.0),
        )
    )
    line = "Organiser: 3 groups, 2 ahead of the peloton (Ardoise 1)"
    assert situation.organiser_check == line


def group_view(kind: GroupKind, gap: float, riders: tuple[int, ...]) -> GroupView:
    return GroupView(
        id=kind,
        name=kind,
        kind=kind,
        riders=riders,
        gap_s=gap,
        gap_to_ahead_s=None,
        km_to_finish=50.0,
        speed_kmh=None,
        trend_s_per_10km=None,
        trend_s_per_min=None,
        trend_basis=None,
    )


def test_groups_that_name_riders_are_matched_by_riders_else_by_order() -> None:
    ours = [
        group_view("head", 0.0, (1,)),
        group_view("chase", 30.0, (2, 3)),
        group_view("peloton", 60.0, tuple(range(4, 26))),
    ]
    # The organiser reports two groups, neither called the peloton nor counted.
    named = [
        ReportedGroup(name="Gr. 1", bibs=(1,), gap_s=0.0),
        ReportedGroup(name="Gr. 2", bibs=(5, 6), gap_s=62.0),
    ]
    assert disagreement(named, ours) is None, "Gr. 2 holds the peloton's riders"
    unnamed = [named[0], ReportedGroup(name="Gr. 2", gap_s=62.0)]
    assert disagreement(unnamed, ours) == "Organiser: 2 groups, Gr. 2 +1:02 (Ardoise +0:30)"


def test_the_tolerance_grows_with_the_gap() -> None:
    ours = [group_view("head", 0.0, (1,)), group_view("peloton", 600.0, (2, 3))]

    def theirs(gap: float) -> list[ReportedGroup]:
        return [
            ReportedGroup(name="Échappée", bibs=(1,), gap_s=0.0),
            ReportedGroup(name="Peloton", bibs=(2,), gap_s=gap),
        ]

    assert disagreement(theirs(655.0), ours) is None, "55 s on 10:55: within 10 %"
    assert disagreement(theirs(670.0), ours) == (
        "Organiser: 2 groups, Peloton +11:10 (Ardoise +10:00)"
    )
    unknown = [ReportedGroup(name="Échappée", bibs=(1,)), ReportedGroup(name="Peloton")]
    assert disagreement(unknown, ours) is None, "unknown gaps: nothing to compare"


def test_without_telemetry_for_a_while_the_organisers_groups_are_shown() -> None:
    race, _ = racing()
    silent = 600 + SILENT_S + 30
    situation = race.apply(
        reported(
            silent,
            ("Gr. Maillot Vert", (1, 4), 2, 0.0),
            ("Peloton", (), None, None),
        )
    )
    assert [g.name for g in situation.organiser_groups] == ["Gr. Maillot Vert", "Peloton"]
    assert situation.organiser_groups_basis == "no rider telemetry for 1:30"
    assert situation.organiser_check is None, "never mixed with Ardoise's"
    shown = situation.to_json_dict()
    assert shown["organiser_groups"][1] == {
        "name": "Peloton",
        "order": 1,
        "bibs": [],
        "size": None,
        "gap_s": None,
        "km_to_finish": None,
        "speed_kmh": None,
        "lat": None,
        "lon": None,
    }
    assert shown["organiser_groups_basis"] == "no rider telemetry for 1:30"
    # The telemetry is back: Ardoise's groups again.
    situation = ride(race, onwards(silent + 6, silent + 6))
    assert situation.organiser_groups == ()
    assert situation.organiser_groups_basis == ""


def test_frames_without_any_rider_are_no_telemetry_for_the_organisers_groups() -> None:
    race, _ = racing()
    silent = 600 + SILENT_S + 30
    ride(race, [(t, {}) for t in range(606, int(silent), 6)])
    situation = race.apply(reported(silent, ("Peloton", (), 176, 0.0)))
    assert situation.organiser_groups_basis == "no rider telemetry for 1:30"
    assert [g.name for g in situation.organiser_groups] == ["Peloton"]


def test_after_the_winner_ardoises_finish_stands() -> None:
    race = new_race()
    # Rider 1 wins; the others, 60 s behind, are still on the road when the feed goes quiet.
    situation = ride(race, steady(0, 96, 6, {1: (1.0, 45.0), 2: (1.75, 45.0)}))
    assert situation.race_state == "finishing"
    situation = race.apply(reported(96 + SILENT_S * 2, ("Peloton", (), 170, 0.0)))
    assert situation.organiser_groups == ()


def test_a_hole_shorter_than_the_silence_keeps_ardoises_groups() -> None:
    race, _ = racing()
    situation = race.apply(reported(600 + SILENT_S - 10, ("Peloton", (), 25, 0.0)))
    assert situation.organiser_groups == ()


def test_riders_that_cannot_be_placed_give_the_organisers_groups() -> None:
    race = Race(engine_settings())
    race.apply(start_list(3))  # No route: GPS fixes cannot be placed.
    for i in range(4):
        fixes = tuple(RiderFix(bib=b, lat=43.0, lon=0.1 * b, speed_kmh=40.0) for b in (1, 2, 3))
        situation = race.apply(Telemetry(t=T0 + 6 * i, riders=fixes))
    assert situation.placing == "none"
    assert situation.groups == ()
    situation = race.apply(
        reported(20, ("Gr. Maillot Vert", (1,), 1, 0.0), ("Peloton", (2, 3), 2, 42.0))
    )
    assert [(g.name, g.gap_s) for g in situation.organiser_groups] == [
        ("Gr. Maillot Vert", 0.0),
        ("Peloton", 42.0),
    ]
    assert situation.organiser_groups_basis == "riders cannot be placed"
    # Each frame keeps them while they are fresh.
    fixes = tuple(RiderFix(bib=b, lat=43.0, lon=0.1 * b) for b in (1, 2, 3))
    situation = race.apply(Telemetry(t=T0 + 30, riders=fixes))
    assert len(situation.organiser_groups) == 2
    situation = race.apply(Telemetry(t=T0 + 20 + FRESH_S + 1, riders=fixes))
    assert situation.organiser_groups == (), "too old"


def test_before_any_frame_the_organisers_groups_are_shown() -> None:
    race = new_race()
    situation = race.apply(reported(0, ("Peloton", (), 176, 0.0)))
    assert situation.organiser_groups_basis == "no rider telemetry"
    assert situation.organiser_groups[0].size == 176


def test_an_older_report_does_not_replace_a_newer_one() -> None:
    race = new_race()
    race.apply(reported(60, ("Peloton", (), 176, 0.0)))
    situation = race.apply(reported(0, ("Old", (), 176, 0.0)))
    assert situation.organiser_groups[0].name == "Peloton"


def test_a_new_stage_forgets_the_organisers_reports() -> None:
    race = new_race()
    race.apply(reported(0, ("Peloton", (), 176, 0.0)))
    race.apply(Weather(t=T0, readings=(WeatherReading(place="A", km=0.0),)))
    following = start_list().stage.model_copy(update={"number": 2})
    situation = race.apply(StartList(stage=following))
    assert (situation.organiser_groups, situation.weather) == ((), None)


def test_a_time_trial_has_no_organisers_groups() -> None:
    race = Race(engine_settings())
    race.apply(start_list(stage_type="itt"))
    race.apply(Telemetry(t=T0, riders=(RiderFix(bib=1, km_to_finish=20.0, speed_kmh=45.0),)))
    situation = race.apply(reported(SILENT_S * 3, ("Peloton", (), 176, 0.0)))
    assert (situation.organiser_groups, situation.organiser_check) == ((), None)


# --- The weather -----------------------------------------------------------------------------

READINGS = (
    WeatherReading(place="A", km=0.0, temperature_c=22.0, at=T0 - 600),
    WeatherReading(place="A (later)", km=0.0, temperature_c=23.0, at=T0),
    WeatherReading(place="Col", km=60.0, temperature_c=14.5, wind_direction="NNE"),
    WeatherReading(place="B", km=DISTANCE, sky="ciel dégagé"),
)


def test_the_weather_ahead_of_the_head() -> None:
    reports = Reports()
    reports.offer_weather(Weather(t=T0, readings=READINGS))
    assert reports.weather_ahead(None) == READINGS[1], "the start's, latest measured"
    assert reports.weather_ahead(0.5) == READINGS[2]
    assert reports.weather_ahead(60.0) == READINGS[2]
    assert reports.weather_ahead(61.0) == READINGS[3]
    assert reports.weather_ahead(DISTANCE + 0.2) == READINGS[3], "past the last: the last"
    reports.offer_weather(Weather(t=T0, readings=()))
    assert reports.weather_ahead(10.0) == READINGS[2], "an empty report keeps the readings"
    unplaced = WeatherReading(place="?", temperature_c=20.0)
    reports.offer_weather(Weather(t=T0, readings=(unplaced,)))
    assert reports.weather_ahead(10.0) == unplaced


def test_the_engine_carries_the_start_then_the_reading_ahead() -> None:
    race = new_race()
    situation = race.apply(Weather(t=T0 - 60, readings=READINGS))
    assert situation.weather == READINGS[1]
    assert situation.new_alerts == 0
    # Racing at 100 km to go of 150: 50 km covered, the col at km 60 is ahead.
    situation = ride(race, steady(0, 60, 6, HEAD_AND_PELOTON))
    assert situation.race_state == "racing"
    assert situation.weather == READINGS[2]
    assert situation.to_json_dict()["weather"]["place"] == "Col"
