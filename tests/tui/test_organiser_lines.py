"""What the organiser reports, on screen: the cross-check line and the organiser's groups in the
gaps panel, the weather in the header where it fits, the frames of another stage ignored."""

from __future__ import annotations

import json
from pathlib import Path

from feeds.racecenter.adapter import RaceCenterFeed, RaceCenterOptions
from race.models import (
    FeedStatus,
    ReportedGroup,
    ReportedGroups,
    Rider,
    Stage,
    StartList,
    Weather,
    WeatherReading,
)
from race.situation import Roster, Situation
from tests.support.app import ScriptedFeed, header_text, wait_for
from tests.support.stages import engine_settings, flat_at
from tui.app import ArdoiseApp
from tui.panels.gaps import gap_lines
from tui.panels.header import feed_status_line, title_line, weather_text
from tui.panels.view import ViewContext
from tui.widgets.gaps import GapsPanel

T = 1_783_520_000.0
PAU = WeatherReading(
    place="Pau", km=158.3, temperature_c=25.8, wind_direction="NNE", wind_force=2.0,
    sky="ciel dégagé",
)  # fmt: skip
STAGE = Stage(
    race="Tour de France",
    year=2026,
    number=5,
    start="Lannemezan",
    finish="Pau",
    distance_km=158.3,
    timezone="Europe/Paris",
)
ORGANISERS = (
    ReportedGroup(name="Gr. Maillot Vert", order=0, bibs=(11, 21), size=2, gap_s=0.0),
    ReportedGroup(name="[b]Peloton[/b]", order=1, bibs=(1,), size=150, gap_s=95.0),
    ReportedGroup(name="Lâchés", order=2, km_to_finish=58.2),
)
ROSTER = Roster(
    riders={
        11: Rider(bib=11, first_name="Tadej", last_name="POGAČAR", team="UAD"),
        21: Rider(bib=21, first_name="Jonas", last_name="VINGEGAARD", team="TVL"),
    }
)


def test_the_cross_check_is_the_last_line_dim_and_only_when_present() -> None:
    _, situation = flat_at(14.0)
    assert situation.groups
    assert situation.organiser_check is None
    shown = gap_lines(situation, None)
    assert not any(ln.plain.startswith("Organiser") for ln in shown)
    check = "Organiser: 3 groups, Échappée +2:10 (Ardoise +1:40)"
    with_check = gap_lines(situation.model_copy(update={"organiser_check": check}), None)
    assert with_check[:-1] == shown
    assert with_check[-1].plain == check
    assert with_check[-1].classes == {"-muted"}


def test_the_organisers_groups_stand_in_marked_as_theirs() -> None:
    _, racing = flat_at(14.0)
    situation = racing.model_copy(
        update={
            "organiser_groups": ORGANISERS,
            "organiser_groups_basis": "no rider telemetry for 2:30",
            "roster": ROSTER,
        }
    )
    narrow = [ln.plain for ln in gap_lines(situation, None)]
    assert narrow == [
        "Organiser's groups · no rider telemetry for 2:30",
        "Gr. Maillot Vert   2 riders    +0:00  T. Pogačar, J. Vingegaard",
        "[b]Peloton[/b]   150 riders    +1:35",
        "Lâchés             ? riders        ?",
    ], "Ardoise's own groups are not mixed in; two named riders of 150 are not listed"
    wide = [ln.plain for ln in gap_lines(situation, None, wide=True)]
    assert wide[3] == "Lâchés             ? riders        ?    58.2 km           "


def test_the_weather_in_the_title_only_when_it_fits_whole() -> None:
    situation = Situation(stage=STAGE, weather=PAU)
    assert weather_text(PAU) == "Pau 25.8 °C · wind NNE 2 · ciel dégagé"
    bare = WeatherReading(place="", km=0.0)
    assert weather_text(bare) == "? ? °C · wind ? ? · ?"
    title = "Tour de France 2026 · Stage 5 Lannemezan › Pau · 158.3 km · flat"
    assert title_line(situation, 80).plain == title
    wide = title_line(situation, 160)
    assert wide.plain == f"{title} · Pau 25.8 °C · wind NNE 2 · ciel dégagé"
    assert title_line(situation, len(wide.plain) + 1).plain == title, "the padding counts"
    assert title_line(situation, len(wide.plain) + 2).plain == wide.plain
    assert title_line(situation.model_copy(update={"weather": None}), 160).plain == title


def test_frames_of_another_stage_beside_the_bad_events() -> None:
    def shown(feed: FeedStatus) -> str:
        return feed_status_line(
            ViewContext(feed_label="racecenter", feed=feed, data_age_s=1.0)
        ).plain

    live = FeedStatus(state="live", at=T)
    assert shown(live) == "racecenter: ● live 1 s"
    one = live.model_copy(update={"other_stage": 1, "rejected": 2})
    assert shown(one) == "racecenter: ● live 1 s · 2 bad events · 1 frame of another stage ignored"
    three = live.model_copy(update={"other_stage": 3})
    assert shown(three) == "racecenter: ● live 1 s · 3 frames of another stage ignored"


def test_the_racecenter_feeds_statuses_carry_the_count(tmp_path: Path) -> None:
    feed = RaceCenterFeed(RaceCenterOptions(cache_dir=tmp_path))
    assert feed.status("live", "connected").other_stage == 0
    # The stream's reader, as `_on_event` hands it each update: yesterday's last frame.
    feed._reader.start(StartList(stage=STAGE))
    yesterday = {"TimeStamp": T, "StageId": "400", "Riders": [{"Bib": 11, "kmToFinish": 0}]}
    update = json.dumps({"bind": "telemetryCompetitor-2026", "data": yesterday})
    assert feed._reader.read(update) == []
    assert feed.other_stage == 1
    status = feed.status("live", feed._reader.other_stage_said())
    assert (status.other_stage, status.detail) == (
        1,
        "1 frame of another stage ignored (stage 4's frame)",
    )


async def test_on_screen_from_the_feeds_events(tmp_path: Path) -> None:
    """The organiser's events through the engine to the screen, at 80x24 and 160x48."""
    feed = ScriptedFeed()
    riders = tuple(ROSTER.riders.values())
    for event in (
        FeedStatus(state="live", at=T, other_stage=1),
        StartList(stage=STAGE, riders=riders),
        Weather(t=T, readings=(PAU,)),
        ReportedGroups(t=T, groups=ORGANISERS),
    ):
        feed.queue.put_nowait(event)
    app = ArdoiseApp(feed, engine_settings(), feed_label="racecenter", monotonic=lambda: 0.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: len(app.situation.organiser_groups) == len(ORGANISERS))
        assert app.situation.weather == PAU
        panel = app.query_one(GapsPanel)
        await wait_for(lambda: bool(panel.lines) and panel.lines[0].plain.startswith("Organiser"))
        assert panel.lines[0].plain == "Organiser's groups · no rider telemetry"
        assert "ciel" not in header_text(app, "title")
        await wait_for(lambda: "another stage" in header_text(app, "feed-status"))
        assert header_text(app, "feed-status").endswith("· 1 frame of another stage ignored")
        # Text from the feed is never read as markup.
        rows = [panel.render_line(y).text for y in range(len(panel.lines))]
        assert any(row.startswith("[b]Peloton[/b]") for row in rows), rows
        app.save_screenshot("narrow.svg", str(tmp_path))
        await pilot.resize_terminal(160, 48)
        await wait_for(lambda: "ciel dégagé" in header_text(app, "title"))
        assert header_text(app, "title").endswith("· Pau 25.8 °C · wind NNE 2 · ciel dégagé")
        app.save_screenshot("wide.svg", str(tmp_path))
