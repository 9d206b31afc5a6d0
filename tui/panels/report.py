"""The whole situation as plain text: what `ardoise situation` prints without --json."""

from __future__ import annotations

from race.situation import Situation
from tui.panels import format as fmt
from tui.panels.gaps import gap_lines
from tui.panels.header import trial_counts
from tui.panels.leadout import leadout_lines, leadout_title
from tui.panels.radio import radio_lines
from tui.panels.timelimit import time_limit_lines


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
    status: str
    if situation.time_trial is not None:
        status = trial_counts(situation.time_trial)
    elif situation.winner_finished:
        status = situation.race_state
    elif situation.race_state in ("pre-start", "neutralised"):
        status = situation.race_state + (
            f" ({situation.race_state_detail})" if situation.race_state_detail else ""
        )
    else:
        status = fmt.km_to_go(head) if head is not None else "not started"
    # The gaps' rows as on a narrow screen; the trains' as on a wide one, every lead-out man.
    blocks = [
        f"{title}\n{status} · {fmt.clock(situation.t, timezone)}"
        f" · race {fmt.duration(situation.race_time_s)}"
        + (f" (start {situation.start_basis})" if situation.start_basis else ""),
        "TIME GAPS\n" + "\n".join(ln.plain for ln in gap_lines(situation, my_team)),
        "TIME LIMIT\n" + "\n".join(ln.plain for ln in time_limit_lines(situation)),
        leadout_title(situation)
        + "\n"
        + "\n".join(ln.plain for ln in leadout_lines(situation, wide=True, data_age_s=None)),
        "RACE RADIO\n" + ("\n".join(ln.plain for ln in radio_lines(situation)) or "(nothing yet)"),
    ]
    return "\n\n".join(blocks) + "\n"
