"""Frames of another stage: told apart from the followed stage's, live and in replays.

The live server re-sends its current snapshot of each bind on connect: before a stage, the
first telemetry frame can be yesterday's final one (all riders finished at 0 km), and the
engine would take it for today's finish. A frame is another stage's when

- its `StageId` (the stage x 100, "1600" = stage 16) names another stage;
- or it is far older than the stage's scheduled start (`EARLIER_THAN_START_S`);
- or the race in it is over (`RaceStatus` false, every rider finished or at 0 km) before the
  followed stage can have finished: before its scheduled start, or, with no schedule known,
  before any frame of the stage was taken.

A frame whose `StageId` names the followed stage is always its own. Nothing is judged
before the stage is known (the start list), nor by a rule whose fact is missing.
"""

from __future__ import annotations

from race.models import Stage, Telemetry

EARLIER_THAN_START_S = 12 * 3600.0
"""A frame this long before the scheduled start is of another day: the neutralised start is
at most an hour or two before the scheduled one, and the previous stage ended the day before."""
AT_THE_LINE_KM = 0.05
"""A rider this close to the line is at 0 km (the feed's steps are 10 m)."""


def frame_stage(frame: Telemetry) -> tuple[int | None, bool | None]:
    """Whose frame this is, as the feed says: the stage number (`StageId` / 100) and whether
    the race is on (`RaceStatus`); None where the frame does not say (Ardoise's own frames
    never do)."""
    stage_id = getattr(frame, "stage_id", None)
    racing = getattr(frame, "racing", None)
    if isinstance(stage_id, str) and stage_id.strip().isdigit():
        stage_id = int(stage_id)
    number = stage_id // 100 if isinstance(stage_id, int) and stage_id >= 0 else None
    return number, racing if isinstance(racing, bool) else None


class StageGuard:
    """Judges each frame against the followed stage (see the module docstring)."""

    def __init__(self) -> None:
        self.stage: Stage | None = None
        self.ignored = 0
        """Frames of another stage so far."""
        self._taken = False

    def follow(self, stage: Stage) -> None:
        """The stage frames are judged against (a new stage starts afresh)."""
        if self.stage is None or (stage.year, stage.number) != (self.stage.year, self.stage.number):
            self._taken = False
        self.stage = stage

    def other_stage(self, frame: Telemetry) -> str | None:
        """Why `frame` is another stage's (it is then counted), or None when it is this one's."""
        reason = self._reason(frame)
        if reason is None:
            self._taken = True
        else:
            self.ignored += 1
        return reason

    def _reason(self, frame: Telemetry) -> str | None:
        stage = self.stage
        if stage is None:
            return None
        number, racing = frame_stage(frame)
        if number is not None and stage.number is not None:
            return None if number == stage.number else f"stage {number}'s frame"
        start = stage.scheduled_start
        if start is not None and frame.t < start - EARLIER_THAN_START_S:
            return f"a frame from {(start - frame.t) / 3600:.0f} h before the start"
        if racing is False and _all_at_the_line(frame):
            before = frame.t < start if start is not None else not self._taken
            if before:
                return "a finished race before the start"
        return None

    def note(self) -> str:
        """The count, said for the feed's status."""
        frames = "frame" if self.ignored == 1 else "frames"
        return f"{self.ignored} {frames} of another stage ignored"


def _all_at_the_line(frame: Telemetry) -> bool:
    return bool(frame.riders) and all(
        fix.finished or (fix.km_to_finish is not None and fix.km_to_finish <= AT_THE_LINE_KM)
        for fix in frame.riders
    )
