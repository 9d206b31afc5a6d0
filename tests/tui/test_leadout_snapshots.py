"""Snapshots of the lead-out's states and their colours, in both themes: every state confirmed,
a state the data does not confirm (neutral, "?", no figure), a train whose sprinter is not known
yet, a wheel not judged, and a small group's make-up.

Situations are made by hand (the states are the point, not a stage). Update with
`pytest tests/tui/test_leadout_snapshots.py -n0 --snapshot-update` after looking at the SVGs.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.app import App, ComposeResult

from race.models import Bib, Rider, Team
from race.situation import (
    Finale,
    Roster,
    Situation,
    SprinterState,
    TeamShare,
    Train,
    TrainRider,
)
from tui.app import ArdoiseApp
from tui.panels.leadout import leadout_lines
from tui.panels.view import ViewContext
from tui.themes import THEMES, VARIABLE_DEFAULTS
from tui.widgets.leadout import LeadoutPanel

pytestmark = pytest.mark.slow

SnapCompare = Callable[..., bool]
TEAMS = ("AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG", "HHH")
STATES: tuple[SprinterState, ...] = (
    "on_wheel",
    "gap_opening",
    "lost_wheel",
    "boxed",
    "out_of_position",
)


def roster() -> Roster:
    riders = {
        10 * i + j: Rider(bib=10 * i + j, first_name="A", last_name=f"{team}rider{j}", team=team)
        for i, team in enumerate(TEAMS, start=1)
        for j in range(1, 4)
    }
    return Roster(teams={t: Team(code=t, name=t) for t in TEAMS}, riders=riders)


def train(team: int, status: SprinterState | None, *, first: int, sure: bool = True) -> Train:
    """A train of two lead-out men and a sprinter, from `first` on the road."""
    bibs: list[Bib] = [10 * team + 1, 10 * team + 2, 10 * team + 3]
    riders = tuple(
        TrainRider(
            bib=bib,
            rank=first + i,
            gap_m=None if i == 0 else 2.0,
            gap_s=None if i == 0 else 0.1,
            role="sprinter" if i == 2 else "leadout",
        )
        for i, bib in enumerate(bibs)
    )
    return Train(
        team=TEAMS[team - 1],
        sprinter=bibs[-1],
        riders=riders,
        status=status,
        sprinter_rank=first + 2,
        last_man=bibs[1],
        wheel_m=2.0 if status == "on_wheel" else 12.0,
        confidence=(0.95 if sure else 0.55) if status is not None else None,
        source="detected",
        intruders=1 if status == "boxed" else 0,
        since_km=1.2 if status == "lost_wheel" else None,
    )


def states_situation() -> Situation:
    trains = [train(i, state, first=3 * i - 2) for i, state in enumerate(STATES, start=1)]
    trains.append(
        train(6, "on_wheel", first=16, sure=False).model_copy(update={"pending": "lost_wheel"})
    )
    unknown = Train(
        team="GGG",
        sprinter=None,
        riders=tuple(
            TrainRider(bib=70 + j, rank=18 + j, gap_m=None, role="rider") for j in (1, 2, 3)
        ),
        status=None,
        sprinter_rank=None,
        source="detected",
    )
    trains.append(unknown)
    finale = Finale(
        active=True, head_km_to_finish=1.2, resolution_m=100, cadence_s=6.0, wheel_sigma_m=3.0
    )
    return Situation(roster=roster(), leadout=tuple(trains), finale=finale)


def unjudged_situation() -> Situation:
    finale = Finale(
        active=True, head_km_to_finish=2.4, resolution_m=470, cadence_s=36.0, judged=False
    )
    trains = (train(1, None, first=1), train(2, None, first=4))
    return Situation(roster=roster(), leadout=trains, finale=finale)


def makeup_situation() -> Situation:
    shares = (
        TeamShare(team="AAA", riders=(11, 12, 13)),
        TeamShare(team="BBB", riders=(21, 22)),
        TeamShare(team="CCC", riders=(31,)),
    )
    finale = Finale(active=True, head_km_to_finish=0.8, makeup=shares, makeup_clear_s=720.0)
    return Situation(roster=roster(), finale=finale)


class Harness(App[None]):
    """The lead-out panel alone, in one theme."""

    CSS_PATH = ArdoiseApp.CSS_PATH

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(VARIABLE_DEFAULTS)

    def __init__(self, situation: Situation, theme: str) -> None:
        super().__init__()
        self.situation = situation
        self.theme_name = theme
        self.panel = LeadoutPanel()

    def compose(self) -> ComposeResult:
        yield self.panel

    def on_mount(self) -> None:
        for theme in THEMES.values():
            self.register_theme(theme)
        self.theme = self.theme_name
        self.panel.show(self.situation, ViewContext(width=self.size.width, data_age_s=2.0))


@pytest.mark.parametrize("theme", list(THEMES))
def test_every_state_and_its_colour(snap_compare: SnapCompare, theme: str) -> None:
    assert snap_compare(Harness(states_situation(), theme), terminal_size=(120, 11))


@pytest.mark.parametrize("theme", list(THEMES))
def test_wheels_not_judged(snap_compare: SnapCompare, theme: str) -> None:
    assert snap_compare(Harness(unjudged_situation(), theme), terminal_size=(100, 5))


@pytest.mark.parametrize("theme", list(THEMES))
def test_a_small_group_by_team(snap_compare: SnapCompare, theme: str) -> None:
    assert snap_compare(Harness(makeup_situation(), theme), terminal_size=(100, 5))


def test_the_rows_carry_what_the_colours_say() -> None:
    """What the snapshots show, as facts: only confirmed states get their colour's class."""
    rows = leadout_lines(states_situation(), wide=True, data_age_s=2.0)
    by_team = {row.plain[:3]: row for row in rows[1:]}
    for i, state in enumerate(STATES):
        assert f"-{state}" in by_team[TEAMS[i]].classes
    unsure = by_team["FFF"]
    assert "-unsure" in unsure.classes
    assert "on the wheel?" in unsure.plain
    assert "%" not in unsure.plain  # no figure on a state the data does not confirm
    unknown = by_team["GGG"]
    assert "-unclaimed" in unknown.classes
    assert "GGGrider1 19th · GGGrider2 20th · GGGrider3 21st" in unknown.plain
    unjudged = leadout_lines(unjudged_situation(), wide=True, data_age_s=2.0)
    assert "frames 36 s apart: wheels not judged" in unjudged[0].plain
    assert all("-unclaimed" in row.classes for row in unjudged[1:])
    makeup = leadout_lines(makeup_situation(), wide=True, data_age_s=2.0)
    assert makeup[1].plain == (
        "AAA ×3 AAArider1, AAArider2, AAArider3 · BBB ×2 BBBrider1, BBBrider2 · CCC ×1 CCCrider1"
    )
    assert "6 riders for the win, 12:00 clear" in makeup[0].plain
