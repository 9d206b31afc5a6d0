"""What the gaps make race radio say: a break formed or caught, a gap to the peloton opening or
closing fast, a marked rider dropped from his group or lost by the feed, the head of the race
lost by the feed.

Each alert is checked against the groups of its own instant: the riders said caught are in the
catching group, and a gap signed "+1:05" is the table's (to the head of the race); a lead on the
peloton is said in words ("1:05 clear of the peloton").
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet

from race.alerts import AlertLog, Debounce, Hysteresis
from race.gaps.groups import BUNCH_SPLIT_S
from race.marks import Marks
from race.models import Bib
from race.settings import EngineSettings
from race.situation import GroupView, Roster
from race.tracking.field import Field
from race.tracking.tracks import LAST_KM_RULE_KM
from race.wording import clock, counted, km, signed_clock

GAP_ALERT_EVERY_KM = 15.0
"""At most one gap-motion alert per group over this much road."""
BREAK_MIN_GAP_S = 30.0
"""A group ahead of the peloton by at least this much is a break worth announcing."""
BREAK_SHARE_MAX = 2
"""A break holds fewer than one rider for every this many of the main group (a break of 34
ahead of a bunch of 145 is one; 48 riders ahead of 61 are the field split in two)."""
NAMED_IN_ALERT = 6
"""An alert names this many riders, then says how many more (a break can hold 30)."""


class GapAlerts:
    """Alerts about the groups, checked once per instant by the gaps tracker."""

    def __init__(self, settings: EngineSettings, marks: Marks | None = None) -> None:
        self.settings = settings
        self._marks = marks if marks is not None else Marks(settings.team.marked)
        self._debounce = Debounce(frames=2)
        self._breaks: dict[str, frozenset[Bib]] = {}
        """The riders of each break announced (by the id it was announced under) still away or
        just caught."""
        self._gap_motion: Hysteresis[str] = Hysteresis(frames=3)
        self._gap_alert_km: dict[str, float] = {}
        self._rider_group: dict[Bib, tuple[str, int]] = {}
        self._head_sent: tuple[GroupView, GroupView | None] | None = None
        """The head of the race and the group behind it at the last instant the feed sent it."""
        self._head_unseen: tuple[GroupView, GroupView | None] | None = None
        """The same, once the feed stopped sending it more than 3 km out: if its riders are
        no longer placed before it sends them again, the feed lost it."""

    def update(
        self,
        t: float,
        groups: list[GroupView],
        field: Field,
        roster: Roster,
        alerts: AlertLog,
        settled_trend: Callable[[str], float | None],
    ) -> None:
        """Check one instant's groups; `settled_trend` gives a group's trend (s/10 km) once it
        has been measured over enough road to be announced, else None."""
        if field.winner is not None:
            return
        self._lost_head_alert(t, groups, alerts)
        self._head_dropped_alert(t, groups, field, alerts)
        self._marked_alerts(t, groups, roster, alerts)
        self._marked_lost_alerts(t, field, roster, alerts)
        main = next((g for g in groups if g.kind in ("peloton", "leader")), None)
        if main is None:
            return
        ahead = groups[: groups.index(main)]
        main_rate = settled_trend(main.id)
        rates = {
            g.id: main_rate - rate
            for g in ahead
            if main_rate is not None and (rate := settled_trend(g.id)) is not None
        }
        placed = {b for g in groups for b in g.riders}
        self._break_alerts(t, main, ahead, placed, rates, roster, alerts)
        for group in ahead:
            # Groups behind the peloton are pieces of a strung-out bunch more often than not;
            # those that matter are the time limit's business.
            if group.id in rates:
                self._gap_rate_alert(t, group, main, rates[group.id], alerts)

    def _lost_head_alert(self, t: float, groups: list[GroupView], alerts: AlertLog) -> None:
        """Once per group: the feed lost the head of the race in the final 3 km, and it is
        placed where its pace takes it (`race.tracking.finish`). Missing from two frames in a
        row: one frame without it (a frame sent again with a new time) is not a loss."""
        head = groups[0] if groups else None
        if head is None:
            return
        unseen = head.unseen_since_t is not None and head.km_to_finish <= LAST_KM_RULE_KM
        if not self._debounce.update(("lost head", head.id), unseen):
            return
        text = (
            f"The feed lost the head of the race ({counted(head.size, 'rider')}) "
            f"{km(head.km_to_finish)} km out: placed at its pace, its gaps kept to the line"
        )
        alerts.raise_once(t, "feed_lost_head", text, "warning", key=f"feed_lost_head {head.id}")

    def _head_dropped_alert(
        self, t: float, groups: list[GroupView], field: Field, alerts: AlertLog
    ) -> None:
        """Once per group: the head of the race the feed stopped sending more than 3 km out
        (none of its riders in a frame), not sent since and no longer placed
        (`hold_missing_s`): the gaps start from the next group the feed sends, which takes
        its name. Said, with the lead it had where it was lost, so that "Head of race +0:00"
        is read for what it is. (Held where last seen, it may be passed and seem caught.)"""
        riders = field.riders
        watched = self._head_unseen
        if watched is None and self._head_sent is not None:
            head = self._head_sent[0]
            if head.km_to_finish > LAST_KM_RULE_KM and all(
                riders[b].t < t for b in head.riders if b in riders
            ):
                watched = self._head_unseen = self._head_sent
        if groups and groups[0].unseen_since_t is None:
            self._head_sent = (groups[0], groups[1] if len(groups) > 1 else None)
        if watched is None:
            return
        lost, behind = watched
        since = max((riders[b].t for b in lost.riders if b in riders), default=t)
        if since >= t:
            self._head_unseen = None  # Sent again.
            return
        if any(not set(group.riders).isdisjoint(lost.riders) for group in groups):
            return  # Still held where the feed last placed them.
        self._head_unseen = None
        lead = (
            f", {clock(behind.gap_s - lost.gap_s)} ahead of {behind.name} when last seen"
            if behind is not None
            else ""
        )
        text = (
            f"The feed lost the head of the race ({counted(lost.size, 'rider')}) "
            f"{km(lost.km_to_finish)} km out{lead}: not sent for {clock(t - since)}, the gaps "
            "now start from the first group it sends"
        )
        alerts.raise_once(t, "feed_lost_head", text, "warning", key=f"feed_dropped {lost.id}")

    def _gap_rate_alert(
        self, t: float, group: GroupView, main: GroupView, rate: float, alerts: AlertLog
    ) -> None:
        """Announce a gap between a group and the peloton (`main`: or, with none, the leader's
        group) that starts to open or close fast.

        The rate must pass the threshold to count as moving and fall under half of it to count
        as steady again (a band, so a rate hovering at the threshold is announced once), and a
        group's gap is announced at most once per `GAP_ALERT_EVERY_KM`.
        """
        limit = self.settings.gaps.gap_alert_s_per_10km
        previous = self._gap_motion.get(group.id)
        if previous is None:
            # A gap is steady until its trend says otherwise: one that closes from the first
            # settled trend on is announced too.
            previous = "steady"
            self._gap_motion.update(group.id, previous)
        if rate >= limit:
            raw = "opening"
        elif rate <= -limit:
            raw = "closing"
        elif abs(rate) < limit / 2:
            raw = "steady"
        else:
            raw = previous
        motion, changed_from = self._gap_motion.update(group.id, raw)
        if changed_from is None or motion == "steady":
            return
        last_km = self._gap_alert_km.get(group.id)
        if last_km is not None and last_km - group.km_to_finish < GAP_ALERT_EVERY_KM:
            return
        self._gap_alert_km[group.id] = group.km_to_finish
        rate_text = f"{rate:+.0f}".replace("-", "−")
        alerts.raise_(
            t,
            f"gap_{motion}",
            f"Gap {motion}: {group.name}{_at(group)} {_clear_of(group, main)}, "
            f"{rate_text} s/10 km, {group.km_to_finish:.0f} km to go",
            key=f"gap_{motion}:{group.id}",
        )

    def _break_alerts(
        self,
        t: float,
        main: GroupView,
        ahead: list[GroupView],
        placed: AbstractSet[Bib],
        rates: dict[str, float],
        roster: Roster,
        alerts: AlertLog,
    ) -> None:
        """A break is announced once it holds a lead, unless its riders are mostly those of a
        break already announced (a break splitting or coming together again), its gap is
        closing fast (riders being caught), it is as big as half the main group, or it is a
        piece of the main group's bunch. Riders of a break are caught when more of them are in
        the main group than still away, for two updates running: those in it are named, and
        those still away stay the break. A rider missing from the feed (in no group) stays in
        his break: back in the feed, he is not a new one."""
        away = {b for g in ahead for b in g.riders}
        in_main = set(main.riders)
        for key, riders in list(self._breaks.items()):
            caught = riders & in_main
            still = riders & away
            if self._debounce.update(("caught", key), len(caught) > len(still)):
                by = "" if main.kind == "peloton" else f" by the {main.name.lower()}"
                rest = f"; {self._names(still, ahead, roster)} still away" if still else ""
                alerts.raise_(
                    t,
                    "break_caught",
                    f"{roster.names(sorted(caught, key=main.riders.index), NAMED_IN_ALERT)} "
                    f"caught at {km(main.km_to_finish)} km to go{by}{rest}",
                    "warning",
                    key=f"break_caught:{key}",
                )
                riders = still
            else:
                # Riders fallen behind the main group leave the break.
                riders = caught | still | (riders - placed)
            if riders:
                self._breaks[key] = frozenset(riders)
            else:
                del self._breaks[key]
        announced = set().union(*self._breaks.values())
        limit = self.settings.gaps.gap_alert_s_per_10km
        # Pieces of the main group's own bunch ahead of it (a bunch splitting on a climb, the
        # name kept by its rear piece) are not breaks: a break is clear of the whole bunch.
        front = len(ahead)
        behind = main
        while front > 0 and behind.gap_s - ahead[front - 1].gap_s <= BUNCH_SPLIT_S:
            front -= 1
            behind = ahead[front]
        for group in ahead[:front]:
            lead = main.gap_s - group.gap_s
            known = sum(b in announced for b in group.riders)
            new = known * 2 <= group.size
            # As many riders as half the main group: the field splitting, not a break.
            split = group.size * BREAK_SHARE_MAX >= main.size
            closing = rates.get(group.id, 0.0) <= -limit
            if self._debounce.update(
                ("break", group.id), lead >= BREAK_MIN_GAP_S and new and not closing and not split
            ):
                alerts.raise_once(
                    t,
                    "break_formed",
                    f"Break: {roster.names(group.riders, NAMED_IN_ALERT)}{_at(group)}, "
                    f"{_clear_of(group, main)}, {km(group.km_to_finish)} km to go",
                    key=f"break_formed:{group.id}",
                )
                riders = frozenset(group.riders)
                for key, before in list(self._breaks.items()):
                    if before - riders:
                        self._breaks[key] = before - riders
                    else:
                        del self._breaks[key]
                self._breaks[group.id] = riders
                announced |= riders

    @staticmethod
    def _names(riders: AbstractSet[Bib], ahead: list[GroupView], roster: Roster) -> str:
        """`riders` named in road order."""
        order = [b for g in ahead for b in g.riders if b in riders]
        return roster.names(order, NAMED_IN_ALERT)

    def _marked_alerts(
        self, t: float, groups: list[GroupView], roster: Roster, alerts: AlertLog
    ) -> None:
        marked = self._marks.bibs
        for bib in self._rider_group.keys() - marked:
            del self._rider_group[bib]  # Unmarked: marked again later, he starts afresh.
        if not marked:
            return
        position = {bib: (g, i) for i, g in enumerate(groups) for bib in g.riders if bib in marked}
        for bib, (group, index) in position.items():
            before = self._rider_group.get(bib)
            dropped = before is not None and index > before[1] and group.id != before[0]
            if self._debounce.update(("dropped", bib), dropped) and before is not None:
                ahead = next((g for g in groups if g.id == before[0]), None)
                if ahead is not None and bib not in ahead.riders:
                    alerts.raise_(
                        t,
                        "rider_dropped",
                        f"{roster.name(bib)} dropped from the {ahead.name.lower()}, "
                        f"{clock(group.gap_s - ahead.gap_s)} behind it "
                        f"({signed_clock(group.gap_s)})",
                        "warning",
                        key=f"rider_dropped:{bib}",
                    )
            if not dropped:
                self._rider_group[bib] = (group.id, index)

    def _marked_lost_alerts(self, t: float, field: Field, roster: Roster, alerts: AlertLog) -> None:
        """A marked rider the feed has lost: missing longer than he is held, no longer placed
        (`Field.dropped`). Once per loss: sent again and lost again, said again."""
        marked = self._marks.bibs
        for track in field.dropped if marked else ():
            if track.bib in marked:
                alerts.raise_once(
                    t,
                    "rider_lost",
                    f"The feed lost {roster.name(track.bib)} {km(track.km)} km out: not sent "
                    f"for {clock(t - track.t)}, no longer placed",
                    "warning",
                    key=f"rider_lost:{track.bib}:{track.t}",
                )


def _at(group: GroupView) -> str:
    """ " (+1:05)", the group's gap as the table shows it; nothing for the head of the race."""
    return "" if group.kind == "head" else f" ({signed_clock(group.gap_s)})"


def _clear_of(group: GroupView, main: GroupView) -> str:
    """ "1:05 clear of the peloton": the group's lead on the main group."""
    return f"{clock(main.gap_s - group.gap_s)} clear of the {main.name.lower()}"
