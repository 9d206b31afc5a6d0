"""The time-limit panel: the day's cut, projected live, and each group's margin to it."""

from __future__ import annotations

from race.situation import LimitGroup, Roster, Situation
from tui.panels import format as fmt
from tui.panels.lines import Line, Part, line

STATUS_MARKS = {"safe": "✓ safe", "tight": "! tight", "danger": "⚠ DANGER", "outside": "✗ OUTSIDE"}


def time_limit_lines(situation: Situation) -> list[Line]:
    """The rule and its basis, then the groups that matter against the cut.

    Groups carrying a watched rider, and groups not safe, get a row each (in road order);
    the other safe groups are counted on one line. After the winner's finish, groups still on
    the road show their countdown, and riders who finished outside are named.
    """
    limit = situation.time_limit
    if not limit.rules:
        return [line("No time-limit rules configured", classes={"-muted"})]
    out = [line((limit.basis, "bold"), classes={"-basis"})]
    if limit.cut_s is None:
        return out
    roster = situation.roster
    shown = [g for g in limit.groups if g.watched or g.status != "safe"]
    quiet = [g for g in limit.groups if not (g.watched or g.status != "safe")]
    out.extend(limit_group_line(g, roster) for g in shown)
    if quiet:
        least = fmt.duration(min(g.margin_s for g in quiet))
        text = (
            f"+1 group safe, margin {least}"
            if len(quiet) == 1
            else f"+{len(quiet)} groups safe, margin {least} or more"
        )
        out.append(line(text, classes={"-muted"}))
    if limit.final and limit.finished_outside:
        names = roster.names(limit.finished_outside, limit=4)
        out.append(line(f"Outside the limit: {names}", classes={"-outside"}))
    if limit.reinstated:
        names = roster.names(limit.reinstated, limit=4)
        out.append(line(f"Outside, reinstated by the jury: {names}", classes={"-muted"}))
    return out


def limit_group_line(group: LimitGroup, roster: Roster) -> Line:
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
        (f"{group.name:<12.12}", "bold"),
        f" {where}  {margin}  ",
        (f"{STATUS_MARKS[group.status]:<10}", "bold"),
    ]
    if group.watched:
        limit = 2 if len(group.watched) <= 2 else 1
        parts.append(" " + roster.names(group.watched, limit=limit))
    return line(*parts, classes={f"-{group.status}"})
