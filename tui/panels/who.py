"""Who is in a group, on its row of the time-gap panel: every rider when the names fit, else the
notable ones (marked riders ★, jerseys, my team, sprinters) and as many others as fit, then how
many more. A row is never blank while it has room for a name."""

from __future__ import annotations

from collections.abc import Mapping

from race.models import Bib
from race.situation import GroupView, Roster
from tui.panels import format as fmt
from tui.panels.lines import Part

JERSEY_MARKS = {"yellow": "●Y", "green": "●G", "polka-dot": "●KOM", "white": "●W"}
JERSEY_ORDER = tuple(JERSEY_MARKS)
MARK = "★"
"""Before a marked rider's name (the time gaps, his card, the search)."""
NOTABLE_ORDER = ("my team", "sprinter")
"""After the marked riders and the jerseys, who is named first in a group too big to list."""
SEPARATOR = ", "


def in_view(groups: tuple[GroupView, ...] | list[GroupView]) -> set[Bib]:
    """The riders a panel of these groups may name by their family name: the notable ones
    (two of them sharing a name get their bibs)."""
    return {n.bib for g in groups for n in g.notable}


def who_parts(
    group: GroupView,
    roster: Roster,
    my_team: str | None,
    room: int,
    surnames: Mapping[Bib, str],
) -> list[Part]:
    """The names for a row with `room` columns left: "T. Pogačar, J. Vingegaard" when the
    whole group fits; otherwise "XRG×2 ★Mulder, ●Y Pogačar, Philipsen +140": the marked riders,
    the jerseys in their standing order (a group's riders swap places from frame to frame and
    the row would shuffle under the reader's eyes), then my team and sprinters, then riders in
    road order."""
    if group.size * len("A. Li, ") <= room + len(SEPARATOR):  # Else they cannot all fit.
        every = fmt.short_names(roster, group.riders)
        marked = {n.bib for n in group.notable if "marked" in n.reasons}
        listed = SEPARATOR.join(
            f"{MARK}{every[bib]}" if bib in marked else every[bib] for bib in group.riders
        )
        if len(listed) <= room:
            return [listed]
    out: list[Part] = []
    used = 0
    mine = [n.bib for n in group.notable if "my team" in n.reasons]
    if mine and my_team:
        count = f"{my_team}×{len(mine)} "
        out.append((count, "bold $accent"))
        used += len(count)
    plain = {bib: fmt.last_name(roster, bib) for bib in group.riders}
    picked = _fill(_candidates(group, {**plain, **surnames}), group.size, room - used)
    # Two of the names picked read the same: pick again with their bibs.
    told_apart = fmt.surnames(roster, [bib for bib, _ in picked])
    if told_apart != {bib: plain[bib] for bib, _ in picked}:
        names = {**plain, **told_apart, **surnames}
        picked = _fill(_candidates(group, names), group.size, room - used)
    for index, (_, part) in enumerate(picked):
        if index:
            out.append(SEPARATOR)
        out.append(part)
    if len(picked) < group.size:
        out.append(f" +{group.size - len(picked)}" if picked else f"+{group.size}")
    return out


def _candidates(group: GroupView, names: Mapping[Bib, str]) -> list[tuple[Bib, Part]]:
    """Every rider of the group as he would be named, the most notable first: marked riders
    (the user asked to follow them), then the jerseys, my team, the sprinters."""
    marked = [n.bib for n in group.notable if "marked" in n.reasons]
    named: list[tuple[Bib, Part]] = [(bib, (f"{MARK}{names[bib]}", "bold")) for bib in marked]
    taken = set(marked)
    named += [
        (bib, (f"{JERSEY_MARKS[jersey]} {names[bib]}", "bold"))
        for bib, jersey in _wearers(group)
        if bib not in taken
    ]
    taken |= {bib for bib, _ in named}
    for reason in NOTABLE_ORDER:
        for notable in group.notable:
            if reason in notable.reasons and notable.bib not in taken:
                taken.add(notable.bib)
                style = "bold $accent" if reason == "my team" else "bold"
                named.append((notable.bib, (names[notable.bib], style)))
    named.extend((bib, names[bib]) for bib in group.riders if bib not in taken)
    return named


def _fill(candidates: list[tuple[Bib, Part]], size: int, room: int) -> list[tuple[Bib, Part]]:
    """The first candidates that fit in `room` with the separators and the "+N" after them."""
    picked: list[tuple[Bib, Part]] = []
    used = 0
    for bib, part in candidates:
        text = part if isinstance(part, str) else part[0]
        left = size - len(picked) - 1
        more = len(f" +{left}") if left else 0
        sep = len(SEPARATOR) if picked else 0
        if used + sep + len(text) + more > room:
            break
        picked.append((bib, part))
        used += sep + len(text)
    return picked


def _wearers(group: GroupView) -> list[tuple[Bib, str]]:
    wearers = [(n.bib, r) for n in group.notable for r in n.reasons if r in JERSEY_MARKS]
    return sorted(wearers, key=lambda wearer: JERSEY_ORDER.index(wearer[1]))
