"""A group's detail: every rider in it, in road order, with his team, nation, jersey and status
against the time limit. Its columns are sized to their content; on a narrow screen the team's
name gives way first, then the nation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from race.models import Bib
from race.situation import GroupView, LimitStatus, Roster, Situation
from race.wording import counted
from tui.panels import format as fmt
from tui.panels.lines import Line, Part, line
from tui.panels.timelimit import STATUS_MARKS
from tui.panels.who import JERSEY_MARKS

NAME_MAX = 26
"""The riders' names' column at its widest (longer names are cut with "…")."""
NAME_MIN = 12
"""The riders' names' column at its narrowest, on a very narrow screen."""
TEAM_MIN = 10
"""A team's name is shown only with at least this room (its code always is)."""
STATUS_STYLES = {
    "safe": "$success",
    "tight": "bold $warning",
    "danger": "bold $error",
    "outside": "bold $error",
}
"""A rider's status against the cut in its colour."""


@dataclass(frozen=True)
class Found:
    """The group to show, and how it was found."""

    group: GroupView
    note: str = ""
    """Why another group is shown than the one chosen: "Break caught: now in Peloton"."""


def find_group(
    situation: Situation, group_id: str, name: str, riders: Sequence[Bib]
) -> Found | None:
    """The group `group_id`; when it is gone (caught, or merged), the group now holding most of
    its `riders`, named `name` when chosen. None when none of them is placed any more."""
    for group in situation.groups:
        if group.id == group_id:
            return Found(group)
    were = set(riders)
    best = max(situation.groups, key=lambda g: len(were & set(g.riders)), default=None)
    if best is None or not were & set(best.riders):
        return None
    return Found(best, f"{name} no longer on its own: its riders now in {best.name}")


def detail_title(group: GroupView, now: float | None = None) -> str:
    """ "Peloton · 142 riders · +1:12 · 45.3 km to go · −14 s/10 km"; a group the feed has
    lost says for how long at `now` in place of its trend."""
    riders = counted(group.size, "rider")
    where = "finished" if group.finished else fmt.km_to_go(group.km_to_finish)
    parts = [group.name, riders, fmt.gap(group.gap_s), where]
    unseen = "" if group.finished else fmt.unseen(group.unseen_since_t, now)
    if unseen:
        parts.append(unseen)
    elif not group.finished and group.trend_s_per_10km is not None:
        parts.append(fmt.trend(group.trend_s_per_10km))
    return " · ".join(parts)


def detail_lines(
    situation: Situation, group: GroupView, my_team: str | None, width: int
) -> tuple[Line, list[Line]]:
    """The columns' heading, and one row per rider of `group` in road order, each at most
    `width` columns."""
    roster = situation.roster
    jerseys = _jerseys(situation)
    statuses = _limit_statuses(situation, group)
    for bib, last_t in group.held:
        # Held where his gap puts him: said beside his status, which is then his group's.
        said, kind = statuses[bib]
        unseen = fmt.unseen(last_t, situation.t)
        statuses[bib] = (f"{said} · {unseen}" if unseen else said, kind)
    names = {bib: _full_name(roster, bib) for bib in group.riders}
    teams = {bib: _team(roster, bib) for bib in group.riders}
    name_w = min(max([len("rider"), *(len(n) for n in names.values())]), NAME_MAX)
    status_w = max([len("time limit"), *(len(s) for s, _ in statuses.values())])
    code_w = max([4, *(len(code) for code, _ in teams.values())])
    # An empty column is room lost: jerseys only when one of the group wears one, in words
    # when the names keep their room, else by their marks.
    jersey_w = max((len(jerseys.of(bib)) for bib in group.riders), default=0)
    fixed = 4 + 1 + code_w + 1 + status_w + (jersey_w + 1 if jersey_w else 0)
    if jersey_w and width - fixed - 1 < name_w:
        jerseys = _Jerseys(jerseys.wearers, words=False)
        fixed -= jersey_w
        jersey_w = max(len(jerseys.of(bib)) for bib in group.riders)
        fixed += jersey_w
    # The name is cut before anything else is dropped; then the team's name, then the nation.
    name_w = max(NAME_MIN, min(name_w, width - fixed - 1))
    fixed += name_w + 1
    nation_w = 3 if width - fixed >= 4 + TEAM_MIN else 0
    fixed += nation_w + (1 if nation_w else 0)
    longest_team = max((len(name) for _, name in teams.values()), default=0)
    team_w = min(longest_team, width - fixed - 1) if width - fixed - 1 >= TEAM_MIN else 0

    def row(bib: str, name: str, code: str, team: str, nation: str, jersey: str) -> list[Part]:
        cells = [f"{bib:>4} ", fmt.cell(name, name_w), fmt.cell(code, code_w)]
        if team_w:
            cells.append(fmt.cell(team, team_w))
        if nation_w:
            cells.append(fmt.cell(nation, nation_w))
        if jersey_w:
            cells.append(fmt.cell(jersey, jersey_w))
        return list(cells)

    heading = line(
        *row("bib", "rider", "team", "", "nat", "jersey"),
        ("time limit", "bold"),
        classes={"-heading"},
    )
    rows: list[Line] = []
    for bib in group.riders:
        code, team = teams[bib]
        rider = roster.riders.get(bib)
        nation = (rider.nationality or "?").upper() if rider else "?"
        status, kind = statuses[bib]
        parts = row(str(bib), names[bib], code, team, nation, jerseys.of(bib))
        parts.append((status, STATUS_STYLES.get(kind, "")))
        # The row itself stands out only when the rider is at risk; his status's colour says
        # the rest (a grupetto of 60 green rows would drown the two that matter).
        classes = {f"-{kind}"} if kind in ("danger", "outside") else set()
        if my_team and rider is not None and rider.team == my_team:
            classes.add("-mine")
        rows.append(line(*parts, classes=classes, key=str(bib)))
    return heading, rows


def detail_notes(situation: Situation) -> list[str]:
    """What the detail cannot show, said once under its rows."""
    notes = []
    if not _jerseys(situation).known:
        notes.append("The feed marks no jerseys.")
    if _limit_unknown(situation):
        notes.append("Time limit: not projected yet.")
    return notes


@dataclass(frozen=True)
class _Jerseys:
    wearers: dict[Bib, str]
    words: bool = True
    """ "●Y yellow", or the mark alone ("●Y") where room is short."""

    @property
    def known(self) -> bool:
        """The feed marks jerseys (none marked at all: it does not)."""
        return bool(self.wearers)

    def of(self, bib: Bib) -> str:
        """ "●Y yellow" (or "●Y"), or "" for a rider without a jersey."""
        jersey = self.wearers.get(bib)
        if not jersey:
            return ""
        return f"{JERSEY_MARKS[jersey]} {jersey}" if self.words else JERSEY_MARKS[jersey]


def _jerseys(situation: Situation) -> _Jerseys:
    return _Jerseys(
        {
            n.bib: reason
            for g in situation.groups
            for n in g.notable
            for reason in n.reasons
            if reason in JERSEY_MARKS
        }
    )


def _full_name(roster: Roster, bib: Bib) -> str:
    rider = roster.riders.get(bib)
    if rider is None:
        return "?"
    return f"{rider.first_name} {rider.last_name}".strip()


def _team(roster: Roster, bib: Bib) -> tuple[str, str]:
    """The rider's team code and name ("?" when the start list does not say)."""
    code = fmt.team_code(roster, bib)
    team = roster.teams.get(code)
    return code, team.name if team is not None else ""


def _limit_unknown(situation: Situation) -> bool:
    limit = situation.time_limit
    return not limit.rules or limit.cut_s is None


def _limit_statuses(situation: Situation, group: GroupView) -> dict[Bib, tuple[str, str]]:
    """Each rider's status against the cut and its margin, and the row's class: his own when the
    time limit lists him, else safe (a rider not listed is safe); "?" before the cut is known;
    "—" at the head of the race (the winner's time is the reference)."""
    limit = situation.time_limit
    if _limit_unknown(situation):
        return {bib: ("?", "") for bib in group.riders}
    riders = {r.bib: r for r in limit.riders}
    margins = {g.id: g.margin_s for g in limit.groups}
    outside = set(limit.finished_outside) if limit.final else set()
    reinstated = set(limit.reinstated)
    head = group.kind == "head" or (group.finished and group is situation.groups[0])
    out: dict[Bib, tuple[str, str]] = {}
    for bib in group.riders:
        if bib in reinstated:
            out[bib] = ("reinstated", "")
            continue
        if bib in outside:
            out[bib] = (STATUS_MARKS["outside"], "outside")
            continue
        rider = riders.get(bib)
        status: LimitStatus = rider.status if rider is not None else "safe"
        if head and rider is None:
            out[bib] = ("—", "")
            continue
        margin = rider.margin_s if rider is not None else margins.get(group.id)
        said = STATUS_MARKS[status]
        if margin is not None:
            said += f" {'−' if margin < 0 else ''}{fmt.duration(abs(margin))}"
        out[bib] = (said, status)
    return out
