"""The time-gap panel: the groups on the road, their gaps, trends and where a catch will happen;
on a time trial, each rider against the provisional leader. The organiser's own groups show
as one line when they disagree, and in place of Ardoise's when there is no rider telemetry."""

from __future__ import annotations

from race.models import ReportedGroup
from race.situation import GroupView, Roster, Situation
from race.wording import ordinal
from tui.panels import format as fmt
from tui.panels.lines import DETAIL, IMPORTANT, MUST_SEE, Line, Part, line

NAMED_UP_TO = 4
"""Groups this small list their riders; larger ones name only notable riders."""
JERSEY_MARKS = {"yellow": "●Y", "green": "●G", "polka-dot": "●KOM", "white": "●W"}
JERSEY_ORDER = tuple(JERSEY_MARKS)


def gap_lines(situation: Situation, my_team: str | None, *, wide: bool = False) -> list[Line]:
    if situation.organiser_groups:
        return organiser_lines(situation, wide=wide)
    if not situation.groups:
        if situation.t is None:
            waiting = "Waiting for rider positions…"
        elif situation.race_state in ("pre-start", "neutralised"):
            waiting = "Not racing yet: gaps from the start"
        else:
            waiting = "No rider tracked"
        return [line(waiting, classes={"-muted"})]
    if situation.time_trial is not None:
        return time_trial_lines(situation, my_team, wide=wide)
    roster = situation.roster
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
            out.append(group_line(g, roster, my_team, wide=wide, lead=lead, priority=MUST_SEE))
        rest = [g for g in finished if g not in shown]
        if rest:
            riders = sum(g.size for g in rest)
            out.append(
                line(
                    f"… {riders} more {'rider' if riders == 1 else 'riders'} finished "
                    f"in {len(rest)} {'group' if len(rest) == 1 else 'groups'}, "
                    f"up to {fmt.gap(rest[-1].gap_s)}",
                    classes={"-muted"},
                )
            )
    road = [g for g in situation.groups if not g.finished]
    names = max(NAME_WIDTH, *(len(g.name) for g in road)) if road else NAME_WIDTH
    if wide and road:
        out.insert(0, header_line(names))
    out.extend(
        group_line(
            g, roster, my_team, wide=wide, priority=_priority(g, first=i == 0), name_width=names
        )
        for i, g in enumerate(road)
    )
    out.extend(catch_lines(situation))
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
        km = f"{group.km_to_finish:6.1f} km" if group.km_to_finish is not None else "     ? km"
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
        f"{'group':<{name_width}}{'riders':>10} {'gap':>8}  {'trend':<14}{'to go':>9}  "
        f"{'speed':>9}  riders named",
        classes={"-muted", "-header"},
        priority=MUST_SEE,
    )


def group_line(
    group: GroupView,
    roster: Roster,
    my_team: str | None,
    *,
    wide: bool = False,
    lead: str = "",
    priority: int = IMPORTANT,
    name_width: int = NAME_WIDTH,
) -> Line:
    size = f"{group.size:>3} {'rider ' if group.size == 1 else 'riders'}"
    parts: list[Part] = [
        (f"{group.name:<{name_width}}", "bold"),
        f"{size} ",
        (f"{fmt.gap(group.gap_s):>8}", "bold"),
    ]
    if group.finished:
        parts.append(("  finished     ", "italic"))
    else:
        value = group.trend_s_per_10km
        arrow = "" if value is None else "▼" if value < -2 else "▲" if value > 2 else "="
        parts.append(f"  {arrow}{fmt.trend(value):<12} ")
    if wide:
        speed = f"{group.speed_kmh:4.1f} km/h" if group.speed_kmh else " " * 9
        parts.append(f"{group.km_to_finish:6.1f} km  {speed}  ")
    who = _who(group, roster, my_team)
    if lead:
        parts.append((f"{lead} · " if who else lead, "bold"))
    parts.extend(who)
    if wide and group.trend_basis and not group.finished:
        # Least important, so last: what the trend was fitted over, and per minute.
        per_min = f"{group.trend_s_per_min:+.1f} s/min " if group.trend_s_per_min else ""
        parts.append((f" ({per_min}{group.trend_basis})".replace("-", "−"), "italic"))
    classes = {f"-{group.kind}"}
    if my_team and _mine(group):
        classes.add("-mine")
    return line(*parts, classes=classes, priority=priority)


TT_PODIUM = 3
"""In a time trial, the best finishers shown above the riders on course."""


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
            (f"Time trial · {trial.on_course} on course · {trial.finished} finished{best}", "bold"),
            classes={"-info"},
        )
    ]
    finished = [g for g in situation.groups if g.finished]
    on_course = [g for g in situation.groups if not g.finished]
    for rank, group in enumerate(finished, start=1):
        mine = my_team is not None and any("my team" in n.reasons for n in group.notable)
        if rank <= TT_PODIUM or mine:
            out.append(_trial_line(group, roster, my_team, ordinal(rank), wide=wide))
    if on_course:
        out.append(line("On course, against the leader at the same point:", classes={"-muted"}))
    for group in on_course:
        out.append(_trial_line(group, roster, my_team, f"{group.km_to_finish:.1f} km", wide=wide))
    if trial.not_timed:
        out.append(
            line(
                f"{len(trial.not_timed)} not timed (their start is not in the feed)",
                classes={"-muted"},
            )
        )
    return out


def _trial_line(
    group: GroupView, roster: Roster, my_team: str | None, label: str, *, wide: bool
) -> Line:
    bib = group.riders[0]
    parts: list[Part] = [
        (f"{label:<8}", "bold"),
        (f"{roster.name(bib):<22.22}", "bold"),
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
    return line(*parts, classes=classes)


def _who(group: GroupView, roster: Roster, my_team: str | None) -> list[Part]:
    if group.size <= NAMED_UP_TO:
        return [roster.names(group.riders, limit=NAMED_UP_TO)]
    out: list[Part] = []
    mine = [n.bib for n in group.notable if "my team" in n.reasons]
    if mine and my_team:
        out.append((f"{my_team}×{len(mine)} ", "bold $accent"))
    # The jerseys in their standing order, not in road order: a group's riders swap places
    # from frame to frame and the row would shuffle under the reader's eyes.
    wearers = [(r, n.bib) for n in group.notable for r in n.reasons if r in JERSEY_MARKS]
    for jersey, bib in sorted(wearers, key=lambda wearer: JERSEY_ORDER.index(wearer[0])):
        out.append((f"{JERSEY_MARKS[jersey]} {fmt.last_name(roster, bib)} ", "bold"))
    return out


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
