"""The time-limit panel: the day's cut, projected live, each group's margin to it, and the
riders whose own status says more than their group's row."""

from __future__ import annotations

from race.models import Bib
from race.situation import LimitGroup, LimitRider, LimitStatus, Roster, Situation
from race.wording import counted
from tui.panels import format as fmt
from tui.panels.lines import DETAIL, IMPORTANT, MUST_SEE, Line, Part, line

STATUS_MARKS = {"safe": "✓ safe", "tight": "! tight", "danger": "⚠ DANGER", "outside": "✗ OUTSIDE"}
CRITICAL: frozenset[LimitStatus] = frozenset({"danger", "outside"})
"""Statuses whose rows never fold."""
RIDER_ROWS = 4
"""Riders at risk shown one per row; the others are counted on one line."""


def time_limit_lines(situation: Situation, my_team: str | None = None) -> list[Line]:
    """The rule and its basis, then the groups that matter against the cut.

    Groups carrying a watched rider, and groups not safe, get a row each (in road order);
    the other safe groups are counted on one line. After the winner's finish, groups still on
    the road show their countdown, and riders who finished outside are named. Riders at
    risk follow: those carrying a worse status than their group's (they left it lately) and
    those the feed has lost. Rows in danger or outside, and my team's, never fold.
    """
    limit = situation.time_limit
    if not limit.rules:
        # The rules come with a stage: before the start list, none is known yet.
        waiting = situation.stage is None
        text = "Waiting for the start list…" if waiting else "No time-limit rules configured"
        return [line(text, classes={"-muted"})]
    out = [line((limit.basis, "bold"), classes={"-basis"}, priority=MUST_SEE)]
    if limit.cut_s is None:
        return out
    roster = situation.roster
    shown = [g for g in limit.groups if g.watched or g.status != "safe"]
    quiet = [g for g in limit.groups if not (g.watched or g.status != "safe")]
    name_width = max(NAME_WIDTH, *(len(g.name) for g in shown)) if shown else NAME_WIDTH
    out.extend(limit_group_line(g, roster, my_team, name_width=name_width) for g in shown)
    if quiet:
        least = fmt.duration(min(g.margin_s for g in quiet))
        # A time trial's rows are riders, each against the clock.
        unit = "rider" if situation.time_trial is not None else "group"
        text = (
            f"+1 {unit} safe, margin {least}"
            if len(quiet) == 1
            else f"+{len(quiet)} {unit}s safe, margin {least} or more"
        )
        out.append(line(text, classes={"-muted"}))
    statuses = {g.id: g.status for g in limit.groups}
    at_risk = [r for r in limit.riders if _at_risk(r, statuses)]
    group_names = {g.id: g.name for g in limit.groups}
    out.extend(
        limit_rider_line(r, roster, group_names, situation.timezone) for r in at_risk[:RIDER_ROWS]
    )
    if len(at_risk) > RIDER_ROWS:
        more = len(at_risk) - RIDER_ROWS
        out.append(line(f"+{counted(more, 'more rider')} at risk", classes={"-muted"}))
    if limit.final and limit.finished_outside:
        names = roster.names(limit.finished_outside, limit=4)
        out.append(line(f"Outside the limit: {names}", classes={"-outside"}, priority=MUST_SEE))
    if limit.reinstated:
        names = roster.names(limit.reinstated, limit=4)
        out.append(line(f"Outside, reinstated by the jury: {names}", classes={"-muted"}))
    if limit.watch_all:
        out.append(
            line(
                "No sprinter named: every rider behind the head watched",
                classes={"-muted"},
                priority=DETAIL,
            )
        )
    return out


def _at_risk(rider: LimitRider, group_status: dict[str, LimitStatus]) -> bool:
    """A rider whose row says more than his group's: lost by the feed (not safe, or watched),
    or carrying a worse status than his group's."""
    if rider.finished:
        return False
    if rider.group_id is None:
        return rider.status != "safe" or rider.watched
    return group_status.get(rider.group_id, rider.status) != rider.status


def limit_rider_line(rider: LimitRider, roster: Roster, groups: dict[str, str], zone: str) -> Line:
    """ "S. Sprinter  in Peloton    margin 14:20  ⚠ DANGER" (he left a group in danger lately);
    "S. Sprinter  lost 14:02:10  margin     ?  ⚠ DANGER" (the feed has lost him)."""
    if rider.group_id is None:
        where = f"lost {fmt.clock(rider.missing_since_t, zone)}"
    else:
        where = f"in {groups.get(rider.group_id, '?')}"
    if rider.margin_s is None:
        margin = "margin     ?"
    else:
        word = "margin" if rider.margin_s >= 0 else "over  "
        margin = f"{word} {fmt.gap(rider.margin_s, sign=False):>5}"
    parts: list[Part] = [
        (f"{roster.name(rider.bib):<12.12}", "bold"),
        f" {where:<13.13}  {margin}  ",
        (f"{STATUS_MARKS[rider.status]:<10}", "bold"),
    ]
    priority = MUST_SEE if rider.status in CRITICAL else IMPORTANT
    return line(*parts, classes={f"-{rider.status}", "-rider"}, priority=priority)


NAME_WIDTH = 12
"""The groups' names column at least; as wide as the longest name shown."""


def limit_group_line(
    group: LimitGroup, roster: Roster, my_team: str | None = None, *, name_width: int = NAME_WIDTH
) -> Line:
    """ "Grupetto     proj   +31:40  margin  3:09  ! tight     E. Vescovi-Rota +21"; after the
    winner's finish "Grupetto     24:12 left  margin  1:59 …", and "in   +32:01" once across."""
    word = "margin" if group.margin_s >= 0 else "over  "
    margin = f"{word} {fmt.gap(group.margin_s, sign=False):>5}"
    if group.finished:
        where = f"in   {fmt.gap(group.projected_gap_s):>8}"
    elif group.countdown_s is not None:
        left = group.countdown_s
        when = f"{fmt.duration(abs(left))} {'left' if left >= 0 else 'late'}"
        where = f"{when:>13}"
    else:
        where = f"proj {fmt.gap(group.projected_gap_s):>8}"
    parts: list[Part] = [
        (f"{group.name:<{name_width}}", "bold"),
        f" {where}  {margin}  ",
        (f"{STATUS_MARKS[group.status]:<10}", "bold"),
    ]
    if group.watched:
        limit = 2 if len(group.watched) <= 2 else 1
        parts.append(" " + roster.names(group.watched, limit=limit))
    mine = my_team is not None and any(_team(roster, bib) == my_team for bib in group.watched)
    priority = MUST_SEE if group.status in CRITICAL or mine else IMPORTANT
    classes = {f"-{group.status}", *(("-mine",) if mine else ())}
    return line(*parts, classes=classes, priority=priority)


def _team(roster: Roster, bib: Bib) -> str | None:
    rider = roster.riders.get(bib)
    return rider.team if rider else None
