"""The header: race and stage, km to go for the head, race clock, feed status and data age."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from race.models import FeedStatus
from race.situation import Situation
from tui.blackout import STALE_AFTER_S
from tui.panels import format as fmt

__all__ = ["STALE_AFTER_S", "RaceHeader"]


class RaceHeader(Horizontal):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._situation: Situation | None = None
        self._estimate: float | None = None
        self._title = Static(id="title")
        self._race_status = Static(id="race-status")
        self._feed_status = Static(id="feed-status")

    def compose(self) -> ComposeResult:
        yield self._title
        yield self._race_status
        yield self._feed_status

    def show_estimate(self, km: float | None) -> None:
        """During a blackout, the head's km to go extrapolated from its last speed (None: not)."""
        shown = round(km, 1) if km is not None else None
        if shown != self._estimate:
            self._estimate = shown
            if self._situation is not None:
                self.show_stage(self._situation)

    def show_stage(self, situation: Situation) -> None:
        self._situation = situation
        stage = situation.stage
        if stage is None:
            self._title.update("Ardoise · waiting for the feed")
            return
        race = f"{stage.race} {stage.year} · " if stage.race else ""
        coef = f" (coef {stage.coefficient})" if stage.coefficient else ""
        kind = f" · {stage.type}{coef}" if stage.type else ""
        tz = stage.timezone
        self._title.update(
            Content.assemble(
                (f"{race}{stage.name}", "bold"), f" · {stage.distance_km:.1f} km{kind}"
            )
        )
        parts: list[str | tuple[str, str]] = []
        if situation.head_km_to_finish is not None:
            if situation.winner_finished:
                parts.append(("finished", "bold"))
            elif self._estimate is not None:
                parts.append((f"≈{self._estimate:.1f} km to go (est.)", "bold $warning"))
            else:
                parts.append((f"{situation.head_km_to_finish:.1f} km to go", "bold"))
        parts.append(f"  {fmt.clock(situation.t, tz)}")
        if situation.race_time_s is not None:
            parts.append(f"  race {fmt.duration(situation.race_time_s)}")
        if situation.head_speed_kmh and not situation.winner_finished:
            parts.append(f"  {situation.head_speed_kmh:.1f} km/h")
        self._race_status.update(Content.assemble(*parts))

    def show_feed(
        self,
        feed: FeedStatus | None,
        age_s: float | None,
        *,
        paused: bool,
        label: str,
        retry_in_s: float | None = None,
    ) -> None:
        """The feed's state and the age of the data.

        `retry_in_s`: seconds left before the next connection attempt (counts down between
        two statuses); the status's own `retry_in_s` when not given.
        """
        widget = self._feed_status
        state = feed.state if feed else "connecting"
        if retry_in_s is None and feed is not None:
            retry_in_s = feed.retry_in_s
        if paused:
            text, css = "⏸ paused (p)", "-paused"
        elif state == "stale" or (state == "live" and age_s is not None and age_s > STALE_AFTER_S):
            text, css = f"stale {fmt.age(age_s)}", "-stale"
        elif state == "live":
            text, css = f"● live {fmt.age(age_s)}", "-live"
        elif state == "reconnecting" and feed is not None:
            attempt = f"attempt {feed.attempt}" if feed.attempt else ""
            retry = f"next in {retry_in_s:.0f} s" if retry_in_s is not None else ""
            if feed.attempt and retry_in_s is not None and retry_in_s < 0.5:
                # The wait is over: the next attempt is under way (it may take a timeout).
                attempt, retry = f"attempt {feed.attempt + 1}", "trying"
            what = f" ({', '.join(filter(None, (attempt, retry)))})" if attempt or retry else ""
            text, css = f"reconnecting{what} · data {fmt.age(age_s)} old", "-stale"
        elif state == "error" and feed is not None:
            retry = f" · retry in {retry_in_s:.0f} s" if retry_in_s is not None else ""
            text, css = f"error: {feed.detail}{retry}", "-error"
        elif state == "connecting" and feed is not None and feed.detail:
            text, css = feed.detail, "-stale"
        elif state == "ended":
            text, css = f"ended · data {fmt.age(age_s)} old", "-ended"
        else:
            text, css = state, "-stale"
        if feed is not None and feed.rejected:
            text += f" · {feed.rejected} bad event{'s' if feed.rejected > 1 else ''}"
        widget.update(Content(f"{label}: {text}"))
        widget.set_classes({css})
