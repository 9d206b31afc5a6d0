"""The header: race and stage, km to go for the head, race clock, feed status and data age."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from race.models import FeedStatus
from race.situation import Situation
from tui import format as fmt

STALE_AFTER_S = 15.0
"""Data older than this is shown as stale, whatever the feed says."""


class RaceHeader(Horizontal):
    def compose(self) -> ComposeResult:
        yield Static(id="title")
        yield Static(id="race-status")
        yield Static(id="feed-status")

    def show_stage(self, situation: Situation) -> None:
        stage = situation.stage
        info = situation.stage_info
        if not stage.name:
            self.query_one("#title", Static).update("Ardoise · waiting for the feed")
            return
        race = f"{stage.race} {stage.year} · " if stage.race else ""
        coef = f" (coef {stage.coefficient})" if stage.coefficient else ""
        kind = f" · {stage.type}{coef}" if stage.type else ""
        tz = info.timezone if info else "UTC"
        self.query_one("#title", Static).update(
            Content.assemble(
                (f"{race}{stage.name}", "bold"), f" · {stage.distance_km:.1f} km{kind}"
            )
        )
        parts: list[str | tuple[str, str]] = []
        if situation.head_km_to_finish is not None:
            if situation.winner_finished:
                parts.append(("finished", "bold"))
            else:
                parts.append((f"{situation.head_km_to_finish:.1f} km to go", "bold"))
        parts.append(f"  {fmt.clock(situation.t, tz)}")
        if situation.race_time_s is not None:
            parts.append(f"  race {fmt.duration(situation.race_time_s)}")
        if situation.head_speed_kmh and not situation.winner_finished:
            parts.append(f"  {situation.head_speed_kmh:.1f} km/h")
        self.query_one("#race-status", Static).update(Content.assemble(*parts))

    def show_feed(
        self, feed: FeedStatus | None, age_s: float | None, *, paused: bool, label: str
    ) -> None:
        widget = self.query_one("#feed-status", Static)
        state = feed.state if feed else "connecting"
        if paused:
            text, css = "⏸ paused (p)", "-paused"
        elif state in ("live", "stale") and age_s is not None and age_s > STALE_AFTER_S:
            text, css = f"stale {fmt.age(age_s)}", "-stale"
        elif state == "live":
            text, css = f"● live {fmt.age(age_s)}", "-live"
        elif state == "reconnecting" and feed is not None:
            attempt = f" (attempt {feed.attempt}" if feed.attempt else " ("
            retry = f", next in {feed.retry_in_s:.0f} s)" if feed.retry_in_s is not None else ")"
            text, css = f"reconnecting{attempt}{retry} · data {fmt.age(age_s)} old", "-stale"
        elif state == "error" and feed is not None:
            text, css = f"error: {feed.detail}", "-error"
        elif state == "ended":
            text, css = f"ended · data {fmt.age(age_s)} old", "-ended"
        else:
            text, css = state, "-stale"
        if feed is not None and feed.rejected:
            text += f" · {feed.rejected} bad event{'s' if feed.rejected > 1 else ''}"
        widget.update(Content(f"{label}: {text}"))
        widget.set_classes({css})
