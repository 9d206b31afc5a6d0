"""Who rides in each sprinter's train: declared, given by the feed, or detected on the road.

A train is known from the configuration (`[leadout] trains`), from the riders' roles when the feed
gives them (`sprinter`, `leadout`), or else it is detected: every team with several riders
together at the front of the group sprinting for the win, frame after frame. Its sprinter is
the rider they ride for (last of them, consistently over frames); until the data shows him the
train has none.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from statistics import NormalDist
from typing import Literal

from race.leadout.bunch import BunchFrame
from race.leadout.settings import TrainSettings
from race.models import Bib
from race.situation import Roster

TrainSource = Literal["config", "roster", "detected"]
_NORMAL = NormalDist()

FRONT_RIDERS = 20
"""Trains are looked for among the first 20 riders of the group sprinting for the win: from 3 km
to go a sprinter further back is out of the fight (`race.leadout.top.TOP_RANK_AT_3KM`), and
his lead-out men ride in front of him."""
TOGETHER_S = 1.0
"""Riders are together while no gap of 1 s opens between one and the next: the UCI's rule for one
group at the finish (17 m at 60 km/h, several times a fix's noise)."""
FINALE_SPEED_KMH = 55.0
"""The bunch's speed when the feed gives none: 50-55 km/h at 5 km to go, more later (DESIGN.md),
so the slower end, which makes "together" the stricter."""
WINDOW_FRAMES = 12
"""A sprinter is confirmed over the last 12 frames (~1.2 km at 6 s per frame in a finale)."""
MIN_FRAMES = 6
"""...in which his team rode together at the front in at least 6: half the window, a kilometre
at most; riders of one team side by side by chance do not stay so for half a kilometre."""
CONFIRM_SHARE = 2.0 / 3.0
"""The rider last of his team's riders at the front in two frames out of three is the one they
ride for: his teammates swap places in the feed's noise, the sprinter stays on the last wheel."""
LEADOUT_SHARE = 0.3
"""A teammate seen in the line in this share of the frames is one of its lead-out men."""
DECAY = 0.93
"""What a frame shows weighs half as much ten frames later (~1 km in a finale)."""
ABSENT_FRAMES = 10
"""A detected sprinter missing from his team's line this many frames (~1 km) is no longer its
sprinter: his votes are void and the rider last of the line since then is elected."""
SWITCH_VOTES = 2.0
"""Another rider becomes a detected train's sprinter when last of the line twice as often."""

HOLD_FRAMES = 1
"""A team whose line left the front is listed one frame more, as a state needs two frames in a
row to change (`race.leadout.tracker`): a line the feed's noise takes apart for one frame is
not a train gone, and the panel's rows do not jump for it."""

FrontTrain = tuple[str, tuple[Bib, ...]]
"""A team and its riders together at the front, in road order."""


@dataclass(frozen=True)
class TrainPlan:
    """A train as Ardoise knows it before looking at the road."""

    team: str
    sprinter: Bib
    leadout: tuple[Bib, ...]
    """Lead-out riders in their planned order, first man first, last man last."""
    source: TrainSource = "config"


def declared_plans(trains: Sequence[TrainSettings], roster: Roster) -> list[TrainPlan]:
    """Trains from the configuration, then from the feed's roles for the other teams."""
    plans = [TrainPlan(t.team, t.sprinter, t.leadout, "config") for t in trains]
    configured = {p.team for p in plans}
    by_team: dict[str, TrainPlan] = {}
    for rider in roster.riders.values():
        if rider.team in configured or rider.role != "sprinter" or rider.team in by_team:
            continue
        leadout = tuple(
            r.bib for r in roster.riders.values() if r.team == rider.team and r.role == "leadout"
        )
        by_team[rider.team] = TrainPlan(rider.team, rider.bib, leadout, "roster")
    return plans + sorted(by_team.values(), key=lambda p: p.team)


def front_trains(
    frame: BunchFrame,
    team_of: Mapping[Bib, str],
    speed_kmh: float | None,
    *,
    skip: Iterable[str] = (),
    front: int = FRONT_RIDERS,
) -> list[FrontTrain]:
    """Every team with two riders or more together among the first `front` riders, front first
    by its first rider's place. "Together": in one group by `TOGETHER_S`; a team split between
    two groups keeps the one holding most of its riders (the front one on a tie)."""
    skipped = set(skip)
    together_m = (speed_kmh or FINALE_SPEED_KMH) / 3.6 * TOGETHER_S
    group_of: dict[Bib, int] = {}
    group = 0
    previous: Bib | None = None
    for bib in frame.order[:front]:
        # A gap only when wider than 1 s by twice its uncertainty: fixes a few metres off
        # would otherwise split riders on one another's wheels.
        if previous is not None and frame.gap_m(previous, bib) > together_m + 2.0 * frame.sigma_m(
            previous, bib
        ):
            group += 1
        group_of[bib] = group
        previous = bib
    by_team: dict[str, dict[int, list[Bib]]] = defaultdict(lambda: defaultdict(list))
    for bib, number in group_of.items():
        team = team_of.get(bib)
        if team and team not in skipped:
            by_team[team][number].append(bib)
    out: list[FrontTrain] = []
    for team, groups in by_team.items():
        riders = max(groups.values(), key=lambda rs: (len(rs), -group_of[rs[0]]))
        if len(riders) >= 2:
            out.append((team, tuple(riders)))
    out.sort(key=lambda item: frame.places[item[1][0]].rank)
    return out


def _last_votes(frame: BunchFrame, line: tuple[Bib, ...]) -> dict[Bib, float]:
    """Who rides last in a line, as a vote shared by the last two by the probability of their
    order (1-2 m apart, they swap places in the feed's noise)."""
    last, before = line[-1], line[-2]
    sigma = max(frame.sigma_m(before, last), 1e-6)
    behind = _NORMAL.cdf(frame.gap_m(before, last) / sigma)
    return {last: behind, before: 1.0 - behind}


class TrainDetector:
    """Finds the trains nobody declared, from the riders' places frame after frame.

    Each frame, every team's longest line at the front is an observation; what the line shows
    (who rides last, who rides in it) counts with a weight that halves every ~1 km, because a
    train forms late and its riders change roles on the way (a team that rode for its leader at
    15 km rides for its sprinter at 3 km)."""

    def __init__(self) -> None:
        self._recent: dict[str, deque[tuple[Bib, ...]]] = {}
        self._last: dict[str, dict[Bib, float]] = defaultdict(dict)
        """Per team: how often each rider was last of the team's line (votes for sprinter)."""
        self._seen: dict[str, dict[Bib, float]] = defaultdict(dict)
        self._index: dict[str, dict[Bib, float]] = defaultdict(dict)
        """Per team: each rider's place in the line (0 = first), summed, for the train's order."""
        self._observed: dict[str, float] = defaultdict(float)
        self._sprinter: dict[str, Bib] = {}
        self._absent: dict[str, int] = {}
        """Per team: frames since its elected sprinter last rode in its line."""
        self._confirmed: dict[str, Bib] = {}
        """Per team: the elected sprinter once the frames showed him consistently."""

    def observe(self, frame: BunchFrame, front: Sequence[FrontTrain]) -> None:
        """Look at one frame: `front` are the teams together at the front (`front_trains`)."""
        lines = dict(front)
        for team in set(lines) | set(self._recent):
            line = lines.get(team, ())
            recent = self._recent.setdefault(team, deque(maxlen=WINDOW_FRAMES))
            recent.append(line)
            for counts in (self._seen[team], self._index[team]):
                for bib in counts:
                    counts[bib] *= DECAY
            self._observed[team] *= DECAY
            self._vote(team, frame, line)
            if not line:
                continue
            self._observed[team] += 1.0
            seen, index = self._seen[team], self._index[team]
            for i, bib in enumerate(line):
                seen[bib] = seen.get(bib, 0.0) + 1.0
                index[bib] = index.get(bib, 0.0) + i
            self._elect(team)

    def at_front(self, frame: BunchFrame) -> list[FrontTrain]:
        """The teams together at the front in this frame or the one before (`HOLD_FRAMES`),
        each with the riders of its latest line in their order on the road in `frame`: one
        frame of noise that takes a line apart is not a train gone."""
        out: list[FrontTrain] = []
        for team, recent in self._recent.items():
            line = next((line for line in islice(reversed(recent), HOLD_FRAMES + 1) if line), ())
            riders = sorted(
                (b for b in line if b in frame.places), key=lambda b: frame.places[b].rank
            )
            if len(riders) >= 2:
                out.append((team, tuple(riders)))
        return out

    def sprinter(self, team: str) -> Bib | None:
        """The rider the team rides for, once the frames show it consistently (None until then:
        a guess is not a sprinter). Once shown he stays, until the team rides for another."""
        sprinter = self._sprinter.get(team)
        if sprinter is None:
            return None
        if self._confirmed.get(team) == sprinter:
            return sprinter
        lines = [line for line in self._recent[team] if line]
        last = sum(1 for line in lines if line[-1] == sprinter)
        if len(lines) < MIN_FRAMES or last < CONFIRM_SHARE * len(lines):
            return None
        self._confirmed[team] = sprinter
        return sprinter

    def _vote(self, team: str, frame: BunchFrame, line: tuple[Bib, ...]) -> None:
        """Count who rides last of the line, unless the elected sprinter has just left it: a
        sprinter who has lost the wheel is still the sprinter, and while he was in the line a
        moment ago, who rides last now says nothing about who he is."""
        sprinter = self._sprinter.get(team)
        absent = 0 if sprinter is None or sprinter in line else self._absent.get(team, 0) + 1
        self._absent[team] = absent
        if 0 < absent <= ABSENT_FRAMES:
            return
        last = self._last[team]
        if sprinter is not None and absent == ABSENT_FRAMES + 1:
            last[sprinter] = 0.0  # Gone from the line for ~1 km: the team rides for another.
        for bib in last:
            last[bib] *= DECAY
        if line:
            for bib, weight in _last_votes(frame, line).items():
                last[bib] = last.get(bib, 0.0) + weight

    def _elect(self, team: str) -> None:
        """The sprinter is the rider most often last of the line; another takes his place only
        when clearly more often last (his teammates swap places in the feed's noise)."""
        votes = self._last[team]
        if not votes:
            return
        best = max(votes, key=lambda b: (votes[b], -b))
        current = self._sprinter.get(team)
        if current is None or votes[best] > SWITCH_VOTES * votes.get(current, 0.0):
            self._sprinter[team] = best

    def plans(self) -> list[TrainPlan]:
        """The detected trains whose sprinter is confirmed: each with its sprinter and the
        teammates seen in front of him."""
        out: list[TrainPlan] = []
        for team in sorted(self._recent):
            sprinter = self.sprinter(team)
            if sprinter is None:
                continue
            seen, index = self._seen[team], self._index[team]
            needed = LEADOUT_SHARE * self._observed[team]
            leadout = sorted(
                (b for b in seen if b != sprinter and seen[b] >= needed),
                key=lambda b: (index[b] / seen[b], b),
            )
            out.append(TrainPlan(team, sprinter, tuple(leadout), "detected"))
        return out
