"""The time-gap panel: the groups on the road, their gaps, trends and where a catch will happen;
on a time trial, each rider against the provisional leader. The organiser's own groups show
as one line when they disagree, and in place of Ardoise's when there is no rider telemetry."""

from __future__ import annotations

from collections.abc import Mapping

from race.models import Bib, ReportedGroup
from race.situation import GroupView, Roster, Situation
from race.wording import counted, ordinal
from tui.panels import format as fmt
from tui.panels.lines import DETAIL, IMPORTANT, MUST_SEE, Line, Part, line
from tui.panels.who import in_view, who_parts

NAMED_UP_TO = 4
"""The organiser's groups this small list their riders (when it names them all)."""
NARROW_ROW = 78
"""A row's width when none is given: a narrow screen's panel (`ardoise situation`'s text)."""


def gap_lines(
    situation: Situation, my_team: str | None, *, wide: bool = False, width: int | None = None
) -> list[Line]:
    """The panel's rows, each `width` columns at most (`NARROW_ROW` when not given); a group's
    row carries its id as its key (the row selected opens the group's detail)."""
    if situation.organiser_groups:
        return organiser_lines(situation, wide=wide)
    trial = situation.time_trial
    if not situation.groups and not (trial and (trial.on_course or trial.finished)):
        if situation.t is None:
            waiting = "Waiting for rider positions…"
        elif situation.race_state in ("pre-start", "neutralised"):
            waiting = "Not racing yet: gaps from the start"
        else:
            waiting = "No rider tracked"
        return [line(waiting, classes={"-muted"})]
    if trial is not None:
        # Riders on course without a comparable split are no group yet, but they are tracked.
        return time_trial_lines(situation, my_team, wide=wide)
    roster = situation.roster
    # One column for the names of every group, finished or not, as wide as the longest.
    names = max(NAME_WIDTH, *(len(g.name) for g in situation.groups))
    row = _RowMaker(situation, my_team, wide=wide, width=width or NARROW_ROW, name_width=names)
    finished = [g for g in situation.groups if g.finished]
    out: list[Line] = []
    if finished:
        # After the winner's finish the groups still on the road matter most: the finished
        # are summed up, but for the winner's group and any group with a rider of mine.
        shown = [
            g
            for i, g in enumerate(finished)
            if i == 0 or any({"my team", "marked"} & set(n.reasons) for n in g.notable)
        ]
        winner = situation.winner
        for g in shown:
            guess = "" if situation.winner_sure else "?"
            lead = f"won by {roster.name(winner)}{guess}" if g is finished[0] and winner else ""
            out.append(row(g, lead=lead, priority=MUST_SEE))
        rest = [g for g in finished if g not in shown]
        if rest:
            riders = sum(g.size for g in rest)
            out.append(
                line(
                    f"… {counted(riders, 'more rider')} finished "
                    f"in {counted(len(rest), 'group')}, "
                    f"up to {fmt.gap(rest[-1].gap_s)}",
                    classes={"-muted"},
                )
            )
    road = [g for g in situation.groups if not g.finished]
    if wide and road:
        out.insert(0, header_line(names))
    out.extend(row(g, priority=_priority(g, first=i == 0)) for i, g in enumerate(road))
    out.extend(catch_lines(situation))
    out.extend(lost_lines(situation, my_team))
    out.extend(trend_basis_lines(road))
    if situation.organiser_check:
        out.append(line(situation.organiser_check, classes={"-muted"}, priority=DETAIL))
    return out


ALWAYS_SHOWN: frozenset[str] = frozenset({"head", "peloton", "leader"})
"""Groups that stay on screen however short the panel: the head of the race and the peloton
(the yellow jersey's group when the field has broken up)."""


def _priority(group: GroupView, *, first: bool) -> int:
    """The head of the race, the peloton and my team's groups stay on screen; the others fold
    from the back."""
    if first or group.kind in ALWAYS_SHOWN or _mine(group):
        return MUST_SEE
    return IMPORTANT


def _mine(group: GroupView) -> bool:
    return any("my team" in n.reasons for n in group.notable)


def organiser_lines(situation: Situation, *, wide: bool = False) -> list[Line]:
    """The organiser's groups standing in for Ardoise's: said to be theirs, with why, then one
    row each as the organiser sent it (its names, gaps and sizes; "?" where it gave none)."""
    basis = situation.organiser_groups_basis
    out = [
        line(
            ("Organiser's groups", "bold"),
            f" · {basis}" if basis else "",
            classes={"-info"},
        )
    ]
    out.extend(
        organiser_line(group, situation.roster, wide=wide) for group in situation.organiser_groups
    )
    return out


def organiser_line(group: ReportedGroup, roster: Roster, *, wide: bool = False) -> Line:
    size = "  ? riders" if group.size is None else f"{group.size:>3} {_riders(group.size)}"
    gap = fmt.gap(group.gap_s) if group.gap_s is not None else "?"
    # Wider names than Ardoise's own rows: the organiser's are longer ("Gr. Maillot Vert").
    parts: list[Part] = [(f"{group.name:<16.16} ", "bold"), f"{size} ", (f"{gap:>8}", "bold")]
    if wide:
        at = group.km_to_finish
        km = f"{fmt.km(at):>6} km" if at is not None else "     ? km"
        speed = f"{group.speed_kmh:4.1f} km/h" if group.speed_kmh else " " * 9
        parts.append(f"  {km}  {speed}")
    if group.bibs and len(group.bibs) == group.size and group.size <= NAMED_UP_TO:
        # Named only when the organiser names every rider: two names of a peloton would read
        # as the peloton.
        parts.append(f"  {roster.names(group.bibs)}")
    return line(*parts)


def _riders(count: int) -> str:
    return "rider " if count == 1 else "riders"


def trend_basis_lines(road: list[GroupView]) -> list[Line]:
    """The trends' basis, once, for the peloton (or the biggest group): the road and time the
    straight line was fitted over (wide rows give each group's too, when they have room)."""
    measured = [g for g in road if g.trend_basis]
    if not measured:
        return []
    main = next((g for g in measured if g.kind == "peloton"), max(measured, key=lambda g: g.size))
    return [line(f"trends: {main.name} {main.trend_basis}", classes={"-muted"}, priority=DETAIL)]


NAME_WIDTH = 14
"""The groups' names column at least; as wide as the longest name on screen."""


def header_line(name_width: int) -> Line:
    """The columns' headers of the wide rows (`group_line`)."""
    return line(
        f"{fmt.cell('group', name_width)}{'riders':>10} {'gap':>8}  {'trend':<14}{'to go':>9}  "
        f"{'speed':>9}  riders named",
        classes={"-muted", "-header"},
        priority=MUST_SEE,
    )


class _RowMaker:
    """Groups' rows in one panel: their names in one column, the riders named with what room
    is left, family names told apart by bib across the panel."""

    def __init__(
        self, situation: Situation, my_team: str | None, *, wide: bool, width: int, name_width: int
    ):
        self._roster = situation.roster
        self._my_team = my_team
        self._wide = wide
        self._width = width
        self._name_width = name_width
        self._surnames = fmt.surnames(self._roster, in_view(situation.groups))
        self._now = situation.t

    def __call__(self, group: GroupView, *, lead: str = "", priority: int = IMPORTANT) -> Line:
        return group_line(
            group,
            self._roster,
            self._my_team,
            wide=self._wide,
            lead=lead,
            priority=priority,
            width=self._width,
            name_width=self._name_width,
            surnames=self._surnames,
            now=self._now,
        )


def group_line(
    group: GroupView,
    roster: Roster,
    my_team: str | None,
    *,
    wide: bool = False,
    lead: str = "",
    priority: int = IMPORTANT,
    width: int = NARROW_ROW,
    name_width: int | None = None,
    surnames: Mapping[Bib, str] | None = None,
    now: float | None = None,
) -> Line:
    """A group's row: name, size, gap, trend (wide: km to go and speed), then who is in it with
    the room left in `width` columns; its key is the group's id. A group the feed has lost
    says for how long at `now` in place of its trend: its gap is the one it had."""
    size = f"{group.size:>3} {'rider ' if group.size == 1 else 'riders'}"
    parts: list[Part] = [
        (fmt.cell(group.name, name_width or max(NAME_WIDTH, len(group.name))), "bold"),
        f"{size} ",
        (f"{fmt.gap(group.gap_s):>8}", "bold"),
    ]
    if group.finished:
        parts.append(("  finished     ", "italic"))
    elif unseen := fmt.unseen(group.unseen_since_t, now):
        parts.append((f"  {unseen:<13} ", "italic"))
    else:
        value = group.trend_s_per_10km
        arrow = "" if value is None else "▼" if value < -2 else "▲" if value > 2 else "="
        parts.append(f"  {arrow}{fmt.trend(value):<12} ")
    if wide:
        speed = f"{group.speed_kmh:4.1f} km/h" if group.speed_kmh else " " * 9
        parts.append(f"{fmt.km(group.km_to_finish):>6} km  {speed}  ")
    if lead:
        parts.append((f"{lead} · ", "bold"))
    basis = ""
    if wide and group.trend_basis and not group.finished:
        # Least important, so last: what the trend was fitted over, and per minute.
        per_min = f"{group.trend_s_per_min:+.1f} s/min " if group.trend_s_per_min else ""
        basis = f" ({per_min}{group.trend_basis})".replace("-", "−")
    used = sum(len(p if isinstance(p, str) else p[0]) for p in parts)
    who = who_parts(group, roster, my_team, width - used, surnames or {})
    parts.extend(who)
    # The names have the room first; the basis only where it fits whole.
    if (
        basis
        and used + sum(len(p if isinstance(p, str) else p[0]) for p in who) + len(basis) <= width
    ):
        parts.append((basis, "italic"))
    classes = {f"-{group.kind}"}
    if my_team and _mine(group):
        classes.add("-mine")
    return line(*parts, classes=classes, priority=priority, key=group.id)


TT_PODIUM = 3
"""In a time trial, the best finishers shown above the riders on course."""
TT_NAME_WIDTH = 22
"""A time trial's name column, widened to the longest name shown (never cut)."""


def time_trial_lines(
    situation: Situation, my_team: str | None, *, wide: bool = False
) -> list[Line]:
    """A time trial: the best times, then each rider on course against the provisional
    leader's time at the point he has reached."""
    trial = situation.time_trial
    assert trial is not None
    roster = situation.roster
    best = (
        f" · best {roster.name(trial.best)} {fmt.duration(trial.best_time_s)}"
        if trial.best is not None
        else ""
    )
    out = [
        line(
            # The counts of riders are the header's.
            (f"Time trial{best}", "bold"),
            classes={"-info"},
        )
    ]
    finished = [g for g in situation.groups if g.finished]
    on_course = [g for g in situation.groups if not g.finished]
    ranked = [
        (ordinal(rank), group)
        for rank, group in enumerate(finished, start=1)
        if rank <= TT_PODIUM
        or (my_team is not None and any("my team" in n.reasons for n in group.notable))
    ]
    width = max([TT_NAME_WIDTH] + [len(roster.name(g.riders[0])) + 1 for g in situation.groups])
    for label, group in ranked:
        out.append(_trial_line(group, roster, my_team, label, wide=wide, name_width=width))
    if on_course:
        out.append(line("On course, against the leader at the same point:", classes={"-muted"}))
    for group in on_course:
        km = f"{fmt.km(group.km_to_finish)} km"
        out.append(_trial_line(group, roster, my_team, km, wide=wide, name_width=width))
    if trial.without_split:
        riders = counted(trial.without_split, "rider")
        out.append(line(f"{riders} on course without a comparable split yet", classes={"-muted"}))
    if trial.not_timed:
        out.append(
            line(
                f"{len(trial.not_timed)} not timed (their start is not in the feed)",
                classes={"-muted"},
            )
        )
    return out


def _trial_line(
    group: GroupView,
    roster: Roster,
    my_team: str | None,
    label: str,
    *,
    wide: bool,
    name_width: int = TT_NAME_WIDTH,
) -> Line:
    bib = group.riders[0]
    parts: list[Part] = [
        (f"{label:<8}", "bold"),
        (f"{roster.name(bib):<{name_width}}", "bold"),
        (f"{fmt.gap(group.gap_s):>8}", "bold"),
    ]
    if group.finished:
        parts.append(f"  {group.trend_basis or ''}")
    else:
        value = group.trend_s_per_10km
        arrow = "" if value is None else "▼" if value < -2 else "▲" if value > 2 else "="
        parts.append(f"  {arrow}{fmt.trend(value):<12}")
        if wide and group.speed_kmh:
            parts.append(f" {group.speed_kmh:4.1f} km/h")
    classes = {f"-{group.kind}"}
    if my_team and any("my team" in n.reasons for n in group.notable):
        classes.add("-mine")
    return line(*parts, classes=classes, key=group.id)


def catch_lines(situation: Situation) -> list[Line]:
    out: list[Line] = []
    groups = situation.groups
    for behind, ahead in zip(groups[1:], groups, strict=False):
        catch = behind.catch
        if catch is None or behind.finished:
            continue
        if catch.km_to_finish is not None:
            text = f"catch ≈ {catch.km_to_finish:.0f} km to go: {behind.name} on {ahead.name}"
        else:
            text = f"no catch before the line: {behind.name} on {ahead.name}"
        out.append(line((text, "bold"), f"  ({catch.basis})", classes={"-catch"}))
    return out


LOST_NAMED = 2
"""The riders the feed lost named in the time gaps, the nearest the line first."""


def lost_lines(situation: Situation, my_team: str | None) -> list[Line]:
    """ "lost by the feed: T. Marsman 13.6 km to go · T. Pidcock 77.9 · +2 more": riders no
    longer placed, where each was last seen; kept on screen when one is my team's."""
    lost = situation.lost
    if not lost:
        return []
    roster = situation.roster
    named = [
        f"{roster.name(rider.bib)} {fmt.km(rider.km_to_finish)}{' km to go' if i == 0 else ''}"
        for i, rider in enumerate(lost[:LOST_NAMED])
    ]
    more = f" · +{len(lost) - LOST_NAMED} more" if len(lost) > LOST_NAMED else ""
    mine = my_team is not None and any(fmt.team_code(roster, r.bib) == my_team for r in lost)
    return [
        line(
            f"lost by the feed: {' · '.join(named)}{more}",
            classes={"-muted"},
            priority=IMPORTANT if mine else DETAIL,
        )
    ]
