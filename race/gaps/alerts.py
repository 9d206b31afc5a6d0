"""What the gaps make race radio say: a break formed or caught, a gap to the peloton opening or
closing fast, a marked rider dropped from his group."""

from __future__ import annotations

from collections.abc import Callable

from race.alerts import AlertLog, Debounce, Hysteresis
from race.models import Bib
from race.settings import EngineSettings
from race.situation import GroupView, Roster
from race.tracking.field import Field
from race.wording import clock

GAP_ALERT_EVERY_KM = 15.0
"""At most one gap-motion alert per group over this much road."""
BREAK_MIN_GAP_S = 30.0
"""A group ahead of the peloton by at least this much is a break worth announcing."""


class GapAlerts:
    """Alerts about the groups, checked once per instant by the gaps tracker."""

    def __init__(self, settings: EngineSettings) -> None:
        self.settings = settings
        self._debounce = Debounce(frames=2)
        self._breaks: dict[str, frozenset[Bib]] = {}
        self._gap_motion: Hysteresis[str] = Hysteresis(frames=3)
        self._gap_alert_km: dict[str, float] = {}
        self._rider_group: dict[Bib, tuple[str, int]] = {}

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
        self._marked_alerts(t, groups, roster, alerts)
        peloton = next((g for g in groups if g.kind == "peloton"), None)
        if peloton is None:
            return
        ahead = [g for g in groups if g.gap_s < peloton.gap_s]
        self._break_alerts(t, peloton, ahead, roster, alerts)
        peloton_rate = settled_trend(peloton.id)
        if peloton_rate is None:
            return
        for group in ahead:
            # Groups behind the peloton are pieces of a strung-out bunch more often than not;
            # those that matter are the time limit's business.
            rate = settled_trend(group.id)
            if rate is not None:
                self._gap_rate_alert(t, group, peloton, peloton_rate - rate, alerts)

    def _gap_rate_alert(
        self, t: float, group: GroupView, peloton: GroupView, rate: float, alerts: AlertLog
    ) -> None:
        """Announce a gap between a group and the peloton that starts to open or close fast.

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
            f"Gap {motion}: {group.name} {clock(peloton.gap_s - group.gap_s)} on the "
            f"peloton, {rate_text} s/10 km, {group.km_to_finish:.0f} km to go",
            key=f"gap_{motion}:{group.id}",
        )

    def _break_alerts(
        self,
        t: float,
        peloton: GroupView,
        ahead: list[GroupView],
        roster: Roster,
        alerts: AlertLog,
    ) -> None:
        """A break is announced once it holds a lead; it is caught when most of its riders
        are back in the peloton for two updates running."""
        for group in ahead:
            lead = peloton.gap_s - group.gap_s
            if self._debounce.update(("break", group.id), lead >= BREAK_MIN_GAP_S):
                alerts.raise_once(
                    t,
                    "break_formed",
                    f"Break: {roster.names(group.riders)} at +{clock(lead)} on the peloton, "
                    f"{group.km_to_finish:.1f} km to go",
                    key=f"break_formed:{group.id}",
                )
                self._breaks[group.id] = frozenset(group.riders)
        in_peloton = set(peloton.riders)
        away = {g.id for g in ahead}
        for gid, riders in list(self._breaks.items()):
            back = len(riders & in_peloton) * 2 > len(riders)
            if self._debounce.update(("caught", gid), gid not in away and back):
                alerts.raise_(
                    t,
                    "break_caught",
                    f"{roster.names(sorted(riders))} caught at {peloton.km_to_finish:.1f} km to go",
                    "warning",
                    key=f"break_caught:{gid}",
                )
                del self._breaks[gid]
            elif gid not in away and not back and not riders & {b for g in ahead for b in g.riders}:
                del self._breaks[gid]  # Its riders fell behind the peloton: nothing to announce.

    def _marked_alerts(
        self, t: float, groups: list[GroupView], roster: Roster, alerts: AlertLog
    ) -> None:
        marked = set(self.settings.team.marked)
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
                        f"{clock(group.gap_s - ahead.gap_s)} behind",
                        "warning",
                        key=f"rider_dropped:{bib}",
                    )
            if not dropped:
                self._rider_group[bib] = (group.id, index)
