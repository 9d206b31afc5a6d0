"""What each panel says, as styled lines, without Textual.

The widgets turn a `Line` into Textual `Content`; `ardoise situation` prints its plain text.
Feed text (rider names) is only ever placed in literal parts, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from race.situation import GroupView, LimitGroup, Roster, Situation, Train
from race.wording import ordinal
from tui import format as fmt

Part = str | tuple[str, str]
"""Plain text, or (text, style) where style is a Textual style string such as "bold $accent"."""

NAMED_UP_TO = 4
"""Groups this small list their riders; larger ones name only notable riders."""
JERSEY_MARKS = {"yellow": "●Y", "green": "●G", "polka-dot": "●KOM", "white": "●W"}
JERSEY_ORDER = tuple(JERSEY_MARKS)
STATUS_MARKS = {"safe": "✓ safe", "tight": "! tight", "danger": "⚠ DANGER", "outside": "✗ OUTSIDE"}
TRAINS_BEFORE_FINALE = 6
"""Before the finale, only the best-placed trains are listed."""
IN_THE_FIGHT_RANK = 40
"""In the finale, trains whose sprinter is further back than this are only counted."""
LEADOUT_SHOWN = 1
"""On a narrow screen, the lead-out men shown in front of the sprinter: his last man."""
WIDE_GAP_M = 5.0
"""On a wide screen, a gap inside a train is shown from this size (smaller ones are wheels)."""


@dataclass(frozen=True)
class Line:
    parts: tuple[Part, ...]
    classes: frozenset[str] = field(default_factory=frozenset)

    @property
    def plain(self) -> str:
        return "".join(p if isinstance(p, str) else p[0] for p in self.parts)


def _line(*parts: Part, classes: set[str] | None = None) -> Line:
    return Line(tuple(parts), frozenset(classes or ()))


# --- Time gaps ---------------------------------------------------------------------------


def gap_lines(situation: Situation, my_team: str | None, *, wide: bool = False) -> list[Line]:
    if not situation.groups:
        waiting = "Waiting for rider positions…" if situation.t is None else "No rider tracked"
        return [_line(waiting, classes={"-muted"})]
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
            lead = f"won by {roster.name(winner)}" if g is finished[0] and winner else ""
            out.append(group_line(g, roster, my_team, wide=wide, lead=lead))
        rest = [g for g in finished if g not in shown]
        if rest:
            riders = sum(g.size for g in rest)
            out.append(
                _line(
                    f"… {riders} more {'rider' if riders == 1 else 'riders'} finished "
                    f"in {len(rest)} {'group' if len(rest) == 1 else 'groups'}, "
                    f"up to {fmt.gap(rest[-1].gap_s)}",
                    classes={"-muted"},
                )
            )
    road = [g for g in situation.groups if not g.finished]
    out.extend(group_line(g, roster, my_team, wide=wide) for g in road)
    out.extend(catch_lines(situation))
    out.extend(trend_basis_lines(road))
    return out


def trend_basis_lines(road: list[GroupView]) -> list[Line]:
    """The trends' basis, once, for the peloton (or the biggest group): the road and time the
    straight line was fitted over (wide rows give each group's too, when they have room)."""
    measured = [g for g in road if g.trend_basis]
    if not measured:
        return []
    main = next((g for g in measured if g.kind == "peloton"), max(measured, key=lambda g: g.size))
    return [_line(f"trends: {main.name} {main.trend_basis}", classes={"-muted"})]


def group_line(
    group: GroupView, roster: Roster, my_team: str | None, *, wide: bool = False, lead: str = ""
) -> Line:
    size = f"{group.size:>3} {'rider ' if group.size == 1 else 'riders'}"
    parts: list[Part] = [
        (f"{group.name:<14.14}", "bold"),
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
    if my_team and any("my team" in n.reasons for n in group.notable):
        classes.add("-mine")
    return _line(*parts, classes=classes)


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
        _line(
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
        out.append(_line("On course, against the leader at the same point:", classes={"-muted"}))
    for group in on_course:
        out.append(_trial_line(group, roster, my_team, f"{group.km_to_finish:.1f} km", wide=wide))
    if trial.not_timed:
        out.append(
            _line(
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
    return _line(*parts, classes=classes)


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
        out.append(_line((text, "bold"), f"  ({catch.basis})", classes={"-catch"}))
    return out


# --- Time limit --------------------------------------------------------------------------


def time_limit_lines(situation: Situation) -> list[Line]:
    """The rule and its basis, then the groups that matter against the cut.

    Groups carrying a watched rider, and groups not safe, get a row each (in road order);
    the other safe groups are counted on one line. After the winner's finish, groups still on
    the road show their countdown, and riders who finished outside are named.
    """
    limit = situation.time_limit
    if not limit.rules:
        return [_line("No time-limit rules configured", classes={"-muted"})]
    out = [_line((limit.basis, "bold"), classes={"-basis"})]
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
        out.append(_line(text, classes={"-muted"}))
    if limit.final and limit.finished_outside:
        names = roster.names(limit.finished_outside, limit=4)
        out.append(_line(f"Outside the limit: {names}", classes={"-outside"}))
    if limit.reinstated:
        names = roster.names(limit.reinstated, limit=4)
        out.append(_line(f"Outside, reinstated by the jury: {names}", classes={"-muted"}))
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
    return _line(*parts, classes={f"-{group.status}"})


# --- Lead-out ----------------------------------------------------------------------------


def leadout_title(situation: Situation) -> str:
    return f"LEAD-OUT (final {situation.finale.finale_km:g} km)"


def leadout_lines(
    situation: Situation, *, wide: bool, data_age_s: float | None, width: int | None = None
) -> list[Line]:
    """The finale's trains, one row each, front first: the team, the sprinter's state (first, so
    that a narrow screen never cuts it), then the train, its sprinters aligned in one column so
    that rival trains read side by side. Before the finale, where the sprinters are.

    A wide panel shows as many lead-out men as fit in `width` columns (all when not given); a
    narrow one, the last man."""
    finale = situation.finale
    head = finale.head_km_to_finish
    if not situation.leadout:
        return [_line(_no_trains(situation), classes={"-muted"})]
    if finale.active:
        trains = tuple(
            t for t in situation.leadout if t.sprinter_rank <= IN_THE_FIGHT_RANK or t.my_team
        )
        info = _finale_info(situation, data_age_s)
    else:
        until = f"in {head - finale.finale_km:.1f} km" if head is not None else "not started"
        info = f"Finale {until} · sprinters' positions now"
        trains = tuple(
            t for i, t in enumerate(situation.leadout) if i < TRAINS_BEFORE_FINALE or t.my_team
        )
    out = [_line(info, classes={"-info"})]
    most = max((len(t.riders) - 1 for t in trains), default=0) if wide else LEADOUT_SHOWN
    rows = _train_rows(trains, situation, wide=wide, shown=most)
    while width and most > 1 and max(len(r.plain) for r in rows) > width:
        most -= 1
        rows = _train_rows(trains, situation, wide=wide, shown=most)
    out.extend(rows)
    behind = len(situation.leadout) - len(trains)
    if behind:
        where = "further back" if finale.active else "behind them"
        out.append(_line(f"+{behind} sprinters {where}", classes={"-muted"}))
    return out


def _train_rows(
    trains: Sequence[Train], situation: Situation, *, wide: bool, shown: int
) -> list[Line]:
    active = situation.finale.active
    states = [_state_parts(t, wide=wide) if active else [] for t in trains]
    cells = [_train_cells(t, situation.roster, wide=wide, shown=shown) for t in trains]
    state_width = max((_width(c) for c in states), default=0)
    ahead_width = max((_width(c[0]) for c in cells), default=0)
    rows: list[Line] = []
    for train, state, (ahead, sprinter) in zip(trains, states, cells, strict=True):
        parts: list[Part] = [(f"{train.team:<4}", "bold"), *state]
        parts.append(" " * (state_width - _width(state) + ahead_width - _width(ahead)))
        parts.extend((*ahead, *sprinter))
        classes: set[str] = {"-mine"} if train.my_team else set()
        if active:
            classes.add(f"-{train.status}")
        rows.append(_line(*parts, classes=classes))
    return rows


def _no_trains(situation: Situation) -> str:
    finale = situation.finale
    head = finale.head_km_to_finish
    if finale.detect_km is None:
        return "No sprinters' trains known (declare them in [leadout] trains)"
    if head is None or head > finale.detect_km:
        return f"Trains are detected from {finale.detect_km:g} km to go, or declare them"
    return "No train riding at the front yet"


def _finale_info(situation: Situation, data_age_s: float | None) -> str:
    """How far the picture can be trusted: km to go, the age of the data, the uncertainty of a
    gap between two riders, and how far the bunch moves between two frames."""
    finale = situation.finale
    parts = [f"{finale.head_km_to_finish or 0.0:.1f} km to go"]
    if data_age_s is not None:
        parts.append(f"data {fmt.age(data_age_s)} old")
    if finale.wheel_sigma_m is not None:
        parts.append(f"gaps ±{finale.wheel_sigma_m:.0f} m")
    if finale.resolution_m and finale.cadence_s:
        parts.append(f"{finale.resolution_m:.0f} m between frames ({finale.cadence_s:.0f} s)")
    else:
        parts.append("frame rate unknown")
    return " · ".join(parts)


def _train_cells(
    train: Train, roster: Roster, *, wide: bool, shown: int
) -> tuple[list[Part], list[Part]]:
    """The lead-out men in front of the sprinter (with the distance to his wheel), then the
    sprinter himself."""
    riders = list(train.riders)
    at = next(i for i, r in enumerate(riders) if r.role == "sprinter")
    ahead = riders[:at]
    last = ahead[-shown:] if shown else []
    parts: list[Part] = []
    if len(last) < len(ahead):
        parts.append("… ")
    for i, rider in enumerate(last):
        if wide and i and rider.gap_m is not None and rider.gap_m >= WIDE_GAP_M:
            parts.append(f"{rider.gap_m:.0f} m ▸ ")
        parts.append(f"{fmt.last_name(roster, rider.bib)} {ordinal(rider.rank)} ▸ ")
    sprinter = riders[at]
    wheel = train.wheel_m if train.wheel_m is not None else sprinter.gap_m
    if wheel is not None and ahead:
        gap = f"{wheel:.0f} m"
        seconds = train.wheel_s
        if wide and seconds is not None:
            gap += f" {seconds:.1f} s"
        parts.append(f"{gap} ▸ ")
    name = (f"{fmt.last_name(roster, sprinter.bib)} {ordinal(sprinter.rank)}", "bold")
    return parts, [name]


def _state_parts(train: Train, *, wide: bool) -> list[Part]:
    """The sprinter's state, "?" when the data supports it too little (with the
    probability on a wide screen), and "→" the state the latest frame shows, if another."""
    symbol, words = fmt.STATE_LABELS[train.status]
    if train.status == "out_of_position" and train.last_man is None:
        words = "on his own"  # No lead-out man with him: not the same as far back.
    if train.status == "boxed" and train.intruders:
        words += f" ({train.intruders})"
    if train.status == "lost_wheel" and train.since_km is not None:
        words += f" {train.since_km:.1f} km"
    confidence = train.confidence
    out: list[Part] = [(f"{symbol} {words}{'' if train.sure else '?'}", "bold")]
    if wide and confidence is not None:
        out.append(f" {confidence:.0%}")
    if train.pending is not None:
        pending_symbol, pending_words = fmt.STATE_LABELS[train.pending]
        out.append(f" → {pending_symbol} {pending_words}?" if wide else f" → {pending_symbol}?")
    out.append("  ")
    return out


def _width(parts: list[Part]) -> int:
    return sum(len(p if isinstance(p, str) else p[0]) for p in parts)


# --- Alerts ------------------------------------------------------------------------------


def radio_lines(situation: Situation) -> list[str]:
    """Alerts and the feed's news by time; news marked with "»"."""
    timezone = situation.timezone
    items = [(a.t, 1, a.text) for a in situation.alerts]
    items += [(n.t, 0, "» " + n.text) for n in situation.news]
    return [f"{fmt.clock(t, timezone)[:5]} {text}" for t, _, text in sorted(items)]


def text_report(situation: Situation, my_team: str | None) -> str:
    """The whole situation as plain text (`ardoise situation` without --json)."""
    stage = situation.stage
    head = situation.head_km_to_finish
    timezone = situation.timezone
    title = (
        f"{stage.race} {stage.year or ''} · {stage.name} · {stage.distance_km:.1f} km".strip()
        if stage is not None
        else "·  · 0.0 km"
    )
    status = (
        "finished"
        if situation.winner_finished
        else (f"{head:.1f} km to go" if head is not None else "not started")
    )
    blocks = [
        f"{title}\n{status} · {fmt.clock(situation.t, timezone)}"
        f" · race {fmt.duration(situation.race_time_s)}",
        "TIME GAPS\n" + "\n".join(ln.plain for ln in gap_lines(situation, my_team)),
        "TIME LIMIT\n" + "\n".join(ln.plain for ln in time_limit_lines(situation)),
        leadout_title(situation)
        + "\n"
        + "\n".join(ln.plain for ln in leadout_lines(situation, wide=True, data_age_s=None)),
        "RACE RADIO\n" + ("\n".join(radio_lines(situation)) or "(nothing yet)"),
    ]
    return "\n\n".join(blocks) + "\n"
