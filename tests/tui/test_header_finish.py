"""The header once the race is over: the data's age stops counting."""

from __future__ import annotations

from race.models import FeedStatus
from tests.support.stages import flat_at, stage_run
from tui.panels.header import feed_status_line
from tui.panels.view import ViewContext


def test_after_the_finish_the_header_says_finished() -> None:
    last = stage_run("flat").last
    assert last is not None
    assert last.race_state == "finished"
    for state in ("live", "ended"):
        view = ViewContext(
            feed_label="simulated", data_age_s=410.0, feed=FeedStatus(state=state, at=0.0)
        )
        text = feed_status_line(view, last).plain
        assert text == "simulated: finished"
    # Paused stays said: the user's own doing.
    paused = ViewContext(feed_label="simulated", paused=True, feed=FeedStatus(state="live", at=0.0))
    assert "paused" in feed_status_line(paused, last).plain


def test_a_feed_ended_before_the_finish_says_when_the_data_stopped() -> None:
    _, racing = flat_at(60.0)
    view = ViewContext(
        feed_label="recording", data_age_s=410.0, feed=FeedStatus(state="ended", at=0.0)
    )
    text = feed_status_line(view, racing).plain
    assert text.startswith("recording: ended · last data ")
    assert "old" not in text
    # Still racing, live: the age counts as before.
    live = ViewContext(
        feed_label="recording", data_age_s=2.0, feed=FeedStatus(state="live", at=0.0)
    )
    assert "live 2 s" in feed_status_line(live, racing).plain
