"""A rider's card as text: one fact a row, a label and its value (`race.card.RiderCard`).
Unknown values read "?", never 0; names come from the feed and are kept as plain text."""

from __future__ import annotations

from race.card import RiderCard, Source
from tui.panels import format as fmt
from tui.panels.lines import Line, Part, line
from tui.panels.timelimit import STATUS_MARKS
from tui.panels.who import JERSEY_MARKS, MARK

LABEL_WIDTH = 11
UNKNOWN = "?"
STATUS_STYLES = {
    "safe": "$success",
    "tight": "bold $warning",
    "danger": "bold $error",
    "outside": "bold reverse $error",
}

_SOURCES: dict[Source, str] = {"own": "his own", "group": "his group's"}


def card_title(card: RiderCard) -> list[Part]:
    """ "★ #131 Jasper Philipsen"."""
    parts: list[Part] = []
    if card.marked:
        parts.append((f"{MARK} ", "bold $accent"))
    parts.append((f"#{card.bib} ", "bold"))
    parts.append((card.name or "not in the start list", "bold"))
    return parts


def card_lines(card: RiderCard, mark_key: str = "*") -> list[Line]:
    """The card's rows under its title.

    Args:
        card: the rider.
        mark_key: the key that marks and unmarks him, as bound.
    """
    return [
        _row("Team", _team(card)),
        _row("Nation", card.nationality.upper() if card.nationality else UNKNOWN),
        _row("Jersey", _jersey(card)),
        _row("Role", card.role or UNKNOWN),
        _row("Group", *_group(card)),
        _row("Km to go", *_km(card)),
        _row("Speed", *_speed(card)),
        _row("Time limit", *_limit(card)),
        _row(
            "Marked",
            ("yes", "bold $accent") if card.marked else "no",
            (f"  ({mark_key} {'unmarks' if card.marked else 'marks'})", "$text-muted"),
        ),
    ]


def _row(label: str, *value: Part) -> Line:
    return line((f"{label:<{LABEL_WIDTH}}", "$text-muted"), *value)


def _team(card: RiderCard) -> str:
    if card.team_code is None:
        return UNKNOWN
    if card.team_name and card.team_name != card.team_code:
        return f"{card.team_name} ({card.team_code})"
    return card.team_code


def _jersey(card: RiderCard) -> str:
    if card.jersey is not None:
        return f"{JERSEY_MARKS[card.jersey]} {card.jersey}"
    # Jerseys are seen on riders the feed places: without a place, nothing is known.
    return "none" if card.group_name is not None else UNKNOWN


def _group(card: RiderCard) -> list[Part]:
    if card.group_name is None:
        return [UNKNOWN, ("  not placed by the feed", "$text-muted")]
    gap = fmt.gap(card.group_gap_s)
    finished = "  finished" if card.finished else ""
    return [(card.group_name, "bold"), f"  {gap}{finished}"]


def _source(source: Source | None) -> Part:
    return (f"  ({_SOURCES[source]})", "$text-muted") if source is not None else ""


def _km(card: RiderCard) -> list[Part]:
    if card.km_to_finish is None:
        return [UNKNOWN]
    if card.finished:
        return ["0 (across the line)"]
    return [fmt.km(card.km_to_finish), _source(card.km_source)]


def _speed(card: RiderCard) -> list[Part]:
    if card.finished:
        return ["— (across the line)"]
    if card.speed_kmh is None:
        return [UNKNOWN]
    return [f"{card.speed_kmh:.1f} km/h", _source(card.speed_source)]


def _limit(card: RiderCard) -> list[Part]:
    parts: list[Part] = []
    if card.limit_status is not None:
        parts.append((STATUS_MARKS[card.limit_status], STATUS_STYLES[card.limit_status]))
        margin = "?" if card.limit_margin_s is None else fmt.gap(card.limit_margin_s)
        if card.limit_status != "outside" or card.limit_margin_s is not None:
            parts.append(f"  margin {margin}")
    elif not card.limit_note:
        parts.append(UNKNOWN)
    if card.limit_note:
        parts.append((f"  {card.limit_note}" if parts else card.limit_note, "$text-muted"))
    return parts
