"""What the organiser reports beside the riders' telemetry: its own groups and the weather.

- The organiser's groups (the Race Center's `pack`) are a cross-check of the groups Ardoise
  finds: each frame they are compared, and when they disagree beyond a tolerance the
  situation carries one line saying how (`organiser_check`). When there is no usable rider
  telemetry (no frame for `SILENT_S`, or riders that cannot be placed) before the winner is
  in, they are the groups shown, as the organiser's (`organiser_groups`), never mixed with
  Ardoise's.
- The weather: the latest readings at the checkpoints; the situation carries the one nearest
  ahead of the head of the race (the start's before the race).

Time is the feed's: the organiser's report is as old as the latest feed time says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from race.models import (
    ReportedGroup,
    ReportedGroups,
    Stage,
    Weather,
    WeatherReading,
    covered_km,
)
from race.situation import GroupView, Placing, RaceState
from race.wording import clock, folded, signed_clock

FRESH_S = 120.0
"""The organiser's groups are used this long (feed time) after they were made. They describe
the race at that instant: two minutes later the head has ridden ~1.5 km and a gap can have
moved by more than the cross-check's tolerance, so older ones are neither compared nor shown."""
SILENT_S = 60.0
"""No rider telemetry for this long (feed time, the organiser's groups being newer): Ardoise's
groups are too old to show, and fresh organiser's groups stand in for them. Ten frames at the
Race Center's ~6 s cadence: a hole of a frame or two is not a loss of telemetry."""
GAP_TOLERANCE_S = 30.0
"""Two gaps of one group agree within this, or within `GAP_TOLERANCE_SHARE` of the larger
gap: the feeds measure at different points and instants, and a few frames' difference is
not a disagreement."""
GAP_TOLERANCE_SHARE = 0.10


@dataclass(frozen=True)
class OrganiserView:
    """The organiser's part of a situation (the `Situation` fields of the same names)."""

    check: str | None = None
    groups: tuple[ReportedGroup, ...] = ()
    basis: str = ""


class Reports:
    """The organiser's latest groups and weather, kept for one stage."""

    def __init__(self) -> None:
        self.groups: ReportedGroups | None = None
        self.weather: tuple[WeatherReading, ...] = ()

    def offer_groups(self, event: ReportedGroups) -> None:
        """Keep the newest groups (a report older than the one kept is history)."""
        if self.groups is None or event.t >= self.groups.t:
            self.groups = event

    def offer_weather(self, event: Weather) -> None:
        """Keep the latest readings (an empty report keeps the previous ones)."""
        if event.readings:
            self.weather = event.readings

    def view(
        self,
        *,
        last_frame_t: float | None,
        placing: Placing | None,
        race_state: RaceState,
        groups: Sequence[GroupView],
        time_trial: bool,
    ) -> OrganiserView:
        """The cross-check line, or the organiser's groups standing in for Ardoise's.

        Args:
            last_frame_t: the last rider telemetry's time (None before any).
            placing: where that frame's km to go came from (`Situation.placing`).
            race_state, groups: Ardoise's, from that frame.
            time_trial: groups on the road mean nothing in a time trial: nothing is done.
        """
        reported = self.groups
        if reported is None or time_trial or not reported.groups:
            return OrganiserView()
        now = max(reported.t, last_frame_t or reported.t)
        if now - reported.t > FRESH_S:
            return OrganiserView()
        if last_frame_t is None:
            return OrganiserView(groups=reported.groups, basis="no rider telemetry")
        if race_state in ("finishing", "finished"):
            return OrganiserView()  # Ardoise saw the winner in: its finish stands, not theirs.
        if reported.t - last_frame_t > SILENT_S:
            silent = f"no rider telemetry for {clock(reported.t - last_frame_t)}"
            return OrganiserView(groups=reported.groups, basis=silent)
        if placing == "none":
            return OrganiserView(groups=reported.groups, basis="riders cannot be placed")
        if race_state != "racing":
            return OrganiserView()
        return OrganiserView(check=disagreement(reported.groups, groups))

    def situation_fields(
        self,
        *,
        last_frame_t: float | None,
        placing: Placing | None,
        race_state: RaceState,
        groups: Sequence[GroupView],
        time_trial: bool,
        stage: Stage | None,
        head_km: float | None,
    ) -> dict[str, Any]:
        """The organiser's part of the situation (`view`'s arguments, and the stage and the
        head's km to go: the weather is the checkpoint's ahead of the head)."""
        view = self.view(
            last_frame_t=last_frame_t,
            placing=placing,
            race_state=race_state,
            groups=groups,
            time_trial=time_trial,
        )
        on_the_road = race_state != "pre-start" and race_state != "neutralised"
        covered = covered_km(stage, head_km) if on_the_road else None
        return {
            "organiser_check": view.check,
            "organiser_groups": view.groups,
            "organiser_groups_basis": view.basis,
            "weather": self.weather_ahead(covered),
        }

    def weather_ahead(self, covered_km: float | None) -> WeatherReading | None:
        """The reading nearest ahead of `covered_km` (km from the start of the head of the
        race); the start's when it is None (before the race); the last one past the last
        checkpoint. Readings without a place on the route are used only when none has one."""
        readings = self.weather
        placed = [r for r in readings if r.km is not None]
        if not placed:
            return readings[0] if readings else None
        # Two readings at one checkpoint: the latest measured.
        order = sorted(placed, key=lambda r: (r.km, -(r.at or 0.0)))
        if covered_km is None:
            return order[0]
        ahead = [r for r in order if r.km is not None and r.km >= covered_km]
        return ahead[0] if ahead else max(order, key=lambda r: (r.km or 0.0, r.at or 0.0))


def disagreement(theirs: Sequence[ReportedGroup], ours: Sequence[GroupView]) -> str | None:
    """One line when the organiser's groups and Ardoise's disagree, else None: the number of
    groups ahead of the peloton differs, or a group's gap differs by more than
    max(`GAP_TOLERANCE_S`, `GAP_TOLERANCE_SHARE` of the larger gap), the worst one told.

    E.g. "Organiser: 3 groups, Échappée +2:10 (Ardoise +1:40)".
    """
    road = [g for g in ours if not g.finished]
    if not theirs or not road:
        return None
    their_peloton, our_peloton = _their_peloton(theirs), _our_peloton(road)
    said: list[str] = []
    if their_peloton is not None and our_peloton is not None and their_peloton != our_peloton:
        said.append(f"{their_peloton} ahead of the peloton (Ardoise {our_peloton})")
    worst: tuple[float, ReportedGroup, GroupView] | None = None
    for their, our in _matches(theirs, road, their_peloton, our_peloton):
        if their.gap_s is None:
            continue
        off = abs(their.gap_s - our.gap_s)
        allowed = max(GAP_TOLERANCE_S, GAP_TOLERANCE_SHARE * max(their.gap_s, our.gap_s))
        if off > allowed and (worst is None or off > worst[0]):
            worst = (off, their, our)
    if worst is not None:
        _, their, our = worst
        said.append(
            f"{their.name} {signed_clock(round(their.gap_s or 0.0))} "
            f"(Ardoise {signed_clock(round(our.gap_s))})"
        )
    if not said:
        return None
    count = len(theirs)
    return f"Organiser: {count} group{'' if count == 1 else 's'}, " + ", ".join(said)


def _matches(
    theirs: Sequence[ReportedGroup],
    ours: Sequence[GroupView],
    their_peloton: int | None,
    our_peloton: int | None,
) -> list[tuple[ReportedGroup, GroupView]]:
    """Each organiser's group with Ardoise's group it describes: by riders where the organiser
    names them (the group holding most of them), else by place on the road counted from the
    peloton (from the front when either side has no peloton); unmatched ones are left out."""
    pairs: list[tuple[ReportedGroup, GroupView]] = []
    for index, their in enumerate(theirs):
        named = set(their.bibs)
        shared = [(len(named.intersection(g.riders)), g) for g in ours] if named else []
        best = max(shared, key=lambda pair: pair[0], default=(0, None))
        if best[1] is not None and best[0] > 0:
            pairs.append((their, best[1]))
            continue
        place = index
        if their_peloton is not None and our_peloton is not None:
            place = our_peloton + index - their_peloton
        if 0 <= place < len(ours):
            pairs.append((their, ours[place]))
    return pairs


def _their_peloton(theirs: Sequence[ReportedGroup]) -> int | None:
    """The organiser's peloton: the group it names so ("Peloton", "Pelotón"), else the one it
    counts most riders in; None when it says neither."""
    for index, group in enumerate(theirs):
        if "peloton" in folded(group.name):
            return index
    sized = [(g.size, -i) for i, g in enumerate(theirs) if g.size is not None]
    return -max(sized)[1] if sized else None  # The first of the largest.


def _our_peloton(ours: Sequence[GroupView]) -> int | None:
    return next((i for i, g in enumerate(ours) if g.kind == "peloton"), None)
