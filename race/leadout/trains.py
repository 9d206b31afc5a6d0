"""Who rides in each sprinter's train: declared, given by the feed, or detected on the road.

A train is known from the configuration (`[leadout] trains`), from the riders' roles when the feed
gives them (`sprinter`, `leadout`), or else it is detected: riders of one team riding one behind
the other near the front of the bunch, their sprinter last, frame after frame in the last ~15 km.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

from race.leadout.bunch import BunchFrame
from race.leadout.settings import TrainSettings
from race.models import Bib
from race.situation import Roster

TrainSource = Literal["config", "roster", "detected"]
_NORMAL = NormalDist()

FRONT_RANKS = 30
"""A train is looked for among this many riders at the front of the race."""
LINE_GAP_M = 8.0
"""Teammates this close (plus the uncertainty of the distance) ride one behind the other."""
LINE_SKIP = 2
"""At most this many riders of other teams between two teammates of one line: a bunch rides
two or three abreast, and the feed's noise shuffles neighbours."""
WINDOW_FRAMES = 12
"""Detection looks at the last 12 frames (~1.2 km at 6 s per frame in a finale)."""
MIN_FRAMES = 7
"""A team riding in line at the front in 7 of the last 12 frames has a train: riders of one team
side by side by chance in a moving bunch do not stay so for a kilometre."""
LEADOUT_SHARE = 0.3
"""A teammate seen in the line in this share of the frames is one of its lead-out men."""
DECAY = 0.93
"""What a frame shows weighs half as much ten frames later (~1 km in a finale)."""
ABSENT_FRAMES = 10
"""A detected sprinter missing from his team's line this many frames (~1 km) is no longer its
sprinter: his votes are void and the rider last of the line since then is elected."""
SWITCH_VOTES = 2.0
"""Another rider becomes a detected train's sprinter when last of the line twice as often."""


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


def line_at_front(
    frame: BunchFrame, riders: Sequence[Bib], front: int = FRONT_RANKS
) -> tuple[Bib, ...]:
    """The longest line that some of `riders` (one team, in road order) form at the front:
    each within `LINE_GAP_M` of the one ahead, with at most `LINE_SKIP` others between them."""
    places = frame.places
    at_front = [b for b in riders if b in places and places[b].rank <= front]
    best: list[Bib] = []
    line: list[Bib] = []
    for bib in at_front:
        if line:
            ahead = line[-1]
            close = frame.gap_m(ahead, bib) <= LINE_GAP_M + 2.0 * frame.sigma_m(ahead, bib)
            if not close or places[bib].rank - places[ahead].rank > LINE_SKIP + 1:
                line = []
        line.append(bib)
        if len(line) > len(best):
            best = list(line)
    return tuple(best) if len(best) >= 2 else ()


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
        self._established: set[str] = set()

    def observe(
        self, frame: BunchFrame, team_of: Mapping[Bib, str], skip: Iterable[str] = ()
    ) -> None:
        """Look at one frame; teams in `skip` already have a declared train."""
        skipped = set(skip)
        by_team: dict[str, list[Bib]] = defaultdict(list)
        for bib in frame.order[:FRONT_RANKS]:
            team = team_of.get(bib)
            if team and team not in skipped:
                by_team[team].append(bib)
        for team in set(by_team) | set(self._recent):
            line = line_at_front(frame, by_team.get(team, ()))
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
            if sum(1 for seen_line in recent if seen_line) >= MIN_FRAMES:
                self._established.add(team)
            if team in self._established:
                self._elect(team)

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
        best = max(votes, key=lambda b: (votes[b], -b))
        current = self._sprinter.get(team)
        if current is None or votes[best] > SWITCH_VOTES * votes.get(current, 0.0):
            self._sprinter[team] = best

    def plans(self) -> list[TrainPlan]:
        """The detected trains: each with its sprinter and the teammates seen in front of him."""
        out: list[TrainPlan] = []
        for team in sorted(self._established):
            sprinter = self._sprinter[team]
            seen, index = self._seen[team], self._index[team]
            needed = LEADOUT_SHARE * self._observed[team]
            leadout = sorted(
                (b for b in seen if b != sprinter and seen[b] >= needed),
                key=lambda b: (index[b] / seen[b], b),
            )
            out.append(TrainPlan(team, sprinter, tuple(leadout), "detected"))
        return out
