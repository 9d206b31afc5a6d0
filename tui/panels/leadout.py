"""The lead-out panel: each sprinter's train in the bunch, and whether he is on the wheel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from race.models import Bib
from race.situation import Situation, SprinterState, Train
from race.wording import counted, ordinal
from tui.panels import format as fmt
from tui.panels.lines import IMPORTANT, MUST_SEE, Line, Part, line
from tui.panels.sprint import in_the_fight, result_lines

FIRST_TRAINS = 4
"""In the finale, the first trains stay on screen however short the panel (and my team's)."""
TRAINS_BEFORE_FINALE = 6
"""Before the finale, only the best-placed trains are listed."""
IN_THE_FIGHT_RANK = 40
"""In the finale, trains whose sprinter is further back than this are only counted."""
LEADOUT_SHOWN = 1
"""On a narrow screen, the lead-out men shown in front of the sprinter: his last man."""
WIDE_GAP_M = 5.0
"""On a wide screen, a gap inside a train is shown from this size (smaller ones are wheels)."""
STATE_LABELS: dict[SprinterState, tuple[str, str]] = {
    "on_wheel": ("✓", "on the wheel"),
    "gap_opening": ("↔", "gap opening"),
    "lost_wheel": ("✗", "lost the wheel"),
    "boxed": ("⚠", "boxed in"),
    "out_of_position": ("…", "out of position"),
}
"""Symbol and words for each sprinter state (the symbol alone when space is short)."""


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
    if finale.result:
        return result_lines(situation)
    if finale.active and finale.makeup is not None:
        return _makeup_lines(situation, wide=wide, width=width)
    if not situation.leadout:
        return [line(_no_trains(situation), classes={"-muted"})]
    fighting = tuple(t for t in situation.leadout if t.my_team or in_the_fight(t, situation))
    if finale.active:
        trains = tuple(
            t
            for t in fighting
            if (t.sprinter_rank or t.front_rank) <= IN_THE_FIGHT_RANK or t.my_team
        )
        info = _finale_info(situation, data_age_s)
    else:
        until = f"in {head - finale.finale_km:.1f} km" if head is not None else "not started"
        info = f"Finale {until} · sprinters' positions now"
        trains = tuple(t for i, t in enumerate(fighting) if i < TRAINS_BEFORE_FINALE or t.my_team)
    out = [line(info, classes={"-info"}, priority=MUST_SEE)]
    most = max((len(t.riders) - 1 for t in trains), default=0) if wide else LEADOUT_SHOWN
    rows = _train_rows(trains, situation, wide=wide, shown=most)
    while width and most > 1 and _widest(rows) > width:
        most -= 1
        rows = _train_rows(trains, situation, wide=wide, shown=most)
    if width and _widest(rows) > width:
        # The trains' fronts are left out before a sprinter is cut off.
        rows = _train_rows(trains, situation, wide=wide, shown=most, fronts=False)
    out.extend(rows)
    behind = len(fighting) - len(trains)
    if behind:
        where = "further back" if finale.active else "behind them"
        out.append(line(f"+{counted(behind, 'sprinter')} {where}", classes={"-muted"}))
    dropped = len(situation.leadout) - len(fighting)
    if dropped:
        out.append(line(f"+{counted(dropped, 'sprinter')} behind the bunch", classes={"-muted"}))
    return out


def _widest(rows: Sequence[Line]) -> int:
    return max((len(row.plain) for row in rows), default=0)


def _train_rows(
    trains: Sequence[Train], situation: Situation, *, wide: bool, shown: int, fronts: bool = True
) -> list[Line]:
    active = situation.finale.active
    states = [_state_parts(t, wide=wide) if active else [] for t in trains]
    names = _surnames(situation, trains)
    cells = [_train_cells(t, names, wide=wide, shown=shown, fronts=fronts) for t in trains]
    state_width = max((_width(c) for c in states), default=0)
    ahead_width = max((_width(c[0]) for c in cells), default=0)
    rows: list[Line] = []
    for place, (train, state, (ahead, sprinter)) in enumerate(
        zip(trains, states, cells, strict=True)
    ):
        parts: list[Part] = [(f"{train.team:<4}", "bold"), *state]
        # Sprinters in one column; a train without one starts where the trains start.
        aligned = ahead_width - _width(ahead) if train.sprinter is not None else 0
        parts.append(" " * (state_width - _width(state) + aligned))
        parts.extend((*ahead, *sprinter))
        if not train.in_contention:
            parts.append(("  out of the sprint", "italic"))
        classes: set[str] = {"-mine"} if train.my_team else set()
        if active:
            classes.add(_state_class(train))
        first = active and place < FIRST_TRAINS
        priority = MUST_SEE if first or train.my_team else IMPORTANT
        rows.append(line(*parts, classes=classes, priority=priority))
    return rows


def _state_class(train: Train) -> str:
    """A state's colour only when the data confirms it; a neutral one otherwise (a glance must
    never read a tick where the data says "maybe")."""
    if train.status is None:
        return "-unclaimed"
    return f"-{train.status}" if train.sure else "-unsure"


def _makeup_lines(situation: Situation, *, wide: bool, width: int | None) -> list[Line]:
    """A small group sprinting for the win, team by team in road order (it sprints without
    trains), then my team's train if it is elsewhere."""
    finale = situation.finale
    shares = finale.makeup or ()
    riders = sum(len(share.riders) for share in shares)
    clear = (
        f"{fmt.duration(finale.makeup_clear_s)} clear"
        if finale.makeup_clear_s is not None
        else "alone on the road"
    )
    head = " · ".join(filter(None, (fmt.km_to_go(finale.head_km_to_finish), _unseen(situation))))
    info = f"{head} · {counted(riders, 'rider')} for the win, {clear}"
    out = [line(info, classes={"-info"}, priority=MUST_SEE)]
    names = _surnames(situation, [t for t in situation.leadout if t.my_team])
    cells = [
        f"{share.team} ×{len(share.riders)} " + ", ".join(names[bib] for bib in share.riders)
        for share in shares
    ]
    current = ""
    for cell in cells:
        joined = f"{current} · {cell}" if current else cell
        if current and width and len(joined) > width:
            out.append(line(current, priority=MUST_SEE))
            joined = cell
        current = joined
    if current:
        out.append(line(current, priority=MUST_SEE))
    mine = [t for t in situation.leadout if t.my_team]
    if mine:
        out.extend(_train_rows(mine, situation, wide=wide, shown=LEADOUT_SHOWN))
    return out


def _no_trains(situation: Situation) -> str:
    finale = situation.finale
    head = finale.head_km_to_finish
    if finale.detect_km is None and situation.stage is None:
        return "Waiting for the start list…"
    if finale.detect_km is None:
        return "No sprinters' trains known (declare them in [leadout] trains)"
    if head is None or head > finale.detect_km:
        return f"Trains are detected from {finale.detect_km:g} km to go, or declare them"
    return "No train riding at the front yet"


def _finale_info(situation: Situation, data_age_s: float | None) -> str:
    """How far the picture can be trusted: km to go, the age of the data, the uncertainty of a
    gap between two riders, and how far the bunch moves between two frames."""
    finale = situation.finale
    parts = [fmt.km_to_go(finale.head_km_to_finish)]
    if unseen := _unseen(situation):
        parts.append(unseen)
    if not finale.judged and finale.cadence_s is not None:
        parts.append(f"frames {finale.cadence_s:.0f} s apart: wheels not judged")
    if data_age_s is not None:
        parts.append(f"data {fmt.age(data_age_s)} old")
    if finale.wheel_sigma_m is not None:
        parts.append(f"gaps ±{finale.wheel_sigma_m:.0f} m")
    if finale.resolution_m and finale.cadence_s:
        parts.append(f"{finale.resolution_m:.0f} m between frames ({finale.cadence_s:.0f} s)")
    else:
        parts.append("frame rate unknown")
    return " · ".join(parts)


def _unseen(situation: Situation) -> str:
    """ "not seen 0:24" while the feed has lost the head of the race (its riders' last places
    stand in the picture); empty otherwise."""
    head = situation.groups[0] if situation.groups else None
    if head is None or head.finished:
        return ""
    return fmt.unseen(head.unseen_since_t, situation.t)


def _surnames(situation: Situation, trains: Sequence[Train]) -> dict[Bib, str]:
    """The family names of the riders the panel shows (`trains`, a small group's), with bibs
    where two share one (three Vercruysses in three trains)."""
    bibs = {r.bib for t in trains for r in t.riders}
    bibs.update(bib for share in situation.finale.makeup or () for bib in share.riders)
    return fmt.surnames(situation.roster, bibs)


def _train_cells(
    train: Train, names: Mapping[Bib, str], *, wide: bool, shown: int, fronts: bool = True
) -> tuple[list[Part], list[Part]]:
    """The lead-out men in front of the sprinter (with the distance to his wheel), then the
    sprinter himself; a train whose sprinter is not known yet, its riders in road order. Men
    not shown are "…", after the place of the train's first rider (`fronts`): the list's
    order is the trains' fronts."""
    riders = list(train.riders)
    at = next((i for i, r in enumerate(riders) if r.role == "sprinter"), None)
    if at is None:
        named = [f"{names[r.bib]} {ordinal(r.rank)}" for r in riders]
        kept = named if wide else named[: shown + 1]
        more = " …" if len(kept) < len(named) else ""
        return [], [" · ".join(kept) + more]
    ahead = riders[:at]
    last = ahead[-shown:] if shown else []
    parts: list[Part] = []
    if len(last) < len(ahead):
        parts.append(f"{ordinal(riders[0].rank)} … " if fronts else "… ")
    for i, rider in enumerate(last):
        if wide and i and rider.gap_m is not None and rider.gap_m >= WIDE_GAP_M:
            parts.append(f"{rider.gap_m:.0f} m ▸ ")
        parts.append(f"{names[rider.bib]} {ordinal(rider.rank)} ▸ ")
    sprinter = riders[at]
    wheel = train.wheel_m if train.wheel_m is not None else sprinter.gap_m
    if wheel is not None and ahead:
        gap = f"{wheel:.0f} m"
        seconds = train.wheel_s
        if wide and seconds is not None:
            gap += f" {seconds:.1f} s"
        parts.append(f"{gap} ▸ ")
    name = (f"{names[sprinter.bib]} {ordinal(sprinter.rank)}", "bold")
    return parts, [name]


def _state_parts(train: Train, *, wide: bool) -> list[Part]:
    """The sprinter's state: with its probability on a wide screen when the data confirms it,
    "?" and no figure when it does not; "→" the state the latest frame shows, if another. No
    state when none is claimed: no sprinter known yet, or frames too far apart to judge."""
    if train.status is None:
        words = "–" if train.sprinter is None else "? not judged"
        return [(words, "bold"), "  "]
    symbol, words = STATE_LABELS[train.status]
    if train.status == "out_of_position" and train.last_man is None:
        words = "on his own"  # No lead-out man with him: not the same as far back.
    if train.status == "boxed" and train.intruders:
        words += f" ({train.intruders})"
    if train.status == "lost_wheel" and train.since_km is not None:
        words += f" {train.since_km:.1f} km"
    confidence = train.confidence
    out: list[Part] = [(f"{symbol} {words}{'' if train.sure else '?'}", "bold")]
    if wide and confidence is not None and train.sure:
        out.append(f" {confidence:.0%}")
    if train.pending is not None:
        pending_symbol, pending_words = STATE_LABELS[train.pending]
        out.append(f" → {pending_symbol} {pending_words}?" if wide else f" → {pending_symbol}?")
    out.append("  ")
    return out


def _width(parts: list[Part]) -> int:
    return sum(len(p if isinstance(p, str) else p[0]) for p in parts)
