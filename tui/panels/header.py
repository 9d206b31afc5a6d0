"""The header: race and stage (with the weather ahead when it fits), km to go for the head,
race clock, feed status and data age."""

from __future__ import annotations

from race.models import WeatherReading
from race.situation import Situation, TimeTrialView
from race.wind.view import WindNow
from race.wording import counted
from tui.panels import format as fmt
from tui.panels.lines import Line, Part, line
from tui.panels.view import ViewContext

HEADER_PADDING = 2
"""The header's padding, left and right: the title has the width less this."""


def title_line(situation: Situation, width: int | None = None) -> Line:
    """The race and the stage; then the riders' wind and the weather ahead, each when the whole
    of it fits in `width` columns (never cut, never at the cost of the stage's own words)."""
    stage = situation.stage
    if stage is None:
        return line("Ardoise · waiting for the feed")
    race = f"{stage.race} {stage.year} · " if stage.race else ""
    coef = f" (coef {stage.coefficient})" if stage.coefficient else ""
    kind = f" · {stage.type}{coef}" if stage.type else ""
    title = line((f"{race}{stage.name}", "bold"), f" · {stage.distance_km:.1f} km{kind}")
    if width is None:
        return title
    # The riders' own wind first (measured where the race is, in km/h), then the organiser's
    # weather ahead; each only when it fits whole.
    extras = [wind_text(situation.wind)] if situation.wind is not None else []
    if situation.weather is not None:
        extras.append(weather_text(situation.weather))
    for extra in extras:
        if len(title.plain) + len(extra) + 3 <= width - HEADER_PADDING:
            title = line(*title.parts, (f" · {extra}", "$text-muted"))
    return title


def wind_text(wind: WindNow) -> str:
    """ "wind NNE 12 km/h · 25 °C", "?" for what the sensors do not say."""
    speed = f"{wind.speed_kmh:.0f} km/h" if wind.speed_kmh is not None else "?"
    temperature = f" · {wind.temperature_c:.0f} °C" if wind.temperature_c is not None else ""
    return f"wind {wind.compass or '?'} {speed}{temperature}"


def weather_text(reading: WeatherReading) -> str:
    """ "Pau 25.8 °C · wind NNE 2 · ciel dégagé", "?" for what the organiser did not say."""
    temperature = f"{reading.temperature_c:.1f}" if reading.temperature_c is not None else "?"
    force = f"{reading.wind_force:g}" if reading.wind_force is not None else "?"
    return (
        f"{reading.place or '?'} {temperature} °C · wind {reading.wind_direction or '?'} "
        f"{force} · {reading.sky or '?'}"
    )


def race_status_line(situation: Situation, view: ViewContext) -> Line:
    """Km to go for the head (estimated during a blackout), the time of day, the race time and
    the head's speed."""
    if situation.stage is None:
        return line()
    if situation.race_state in ("pre-start", "neutralised") and situation.t is not None:
        return waiting_line(situation)
    parts: list[Part] = []
    if situation.time_trial is not None:
        # No head of the race in a time trial: where the riders are instead.
        parts.append((trial_counts(situation.time_trial), "bold"))
    elif situation.head_km_to_finish is not None:
        estimate = (
            estimated_head_km(situation, view.data_age_s)
            if view.blackout and view.data_age_s is not None
            else None
        )
        if situation.winner_finished:
            parts.append((situation.race_state, "bold"))
        elif estimate is not None:
            parts.append((f"≈{fmt.km_to_go(estimate)} (est.)", "bold $warning"))
        else:
            parts.append((fmt.km_to_go(situation.head_km_to_finish), "bold"))
    parts.append(f"  {fmt.clock(situation.t, situation.timezone)}")
    # A time trial's clock since the first start says little: dropped first when narrow.
    narrow_trial = situation.time_trial is not None and view.width < WIDE_HEADER
    if situation.race_time_s is not None and not narrow_trial:
        parts.append(f"  race {start_mark(situation, view.width)}")
        parts.append(fmt.duration(situation.race_time_s))
    if situation.head_speed_kmh and not situation.winner_finished:
        parts.append(f"  {situation.head_speed_kmh:.1f} km/h")
    if situation.degraded:
        parts.append((f"  ⚠ doubtful: {'; '.join(situation.degraded)}", "bold $error"))
    return line(*parts)


def trial_counts(trial: TimeTrialView) -> str:
    """ "23 on course · 51 finished · 12 to start"; "≤39 to start" when the feed began with
    riders out on the course (one it never saw may have finished before), "?" without a start
    list."""
    if trial.to_start is None:
        to_start = "?"
    else:
        to_start = (
            f"≤{trial.to_start}" if trial.to_start_bound and trial.to_start else str(trial.to_start)
        )
    return f"{trial.on_course} on course · {trial.finished} finished · {to_start} to start"


def race_over(situation: Situation | None) -> bool:
    """Every rider is in (a time trial: every rider seen has finished): the data's age no
    longer says anything, nothing more is coming."""
    if situation is None:
        return False
    if situation.time_trial is not None:
        return situation.winner_finished
    return situation.race_state == "finished"


WIDE_HEADER = 100
"""From this width the header names the start's basis in words."""


def start_mark(situation: Situation, width: int) -> str:
    """How the race time's start was found, before the race time: "(start seen) " when wide;
    narrow, "≈" marks a start not seen ("≈sched. " when it is the schedule)."""
    basis = situation.start_basis.split()[0] if situation.start_basis else ""
    if width >= WIDE_HEADER:
        return f"(start {basis}) " if basis else ""
    if basis == "extrapolated":
        return "≈"
    if basis == "scheduled":
        return "≈sched. "
    return ""


def waiting_line(situation: Situation) -> Line:
    """Before the race: what the feed shows instead of numbers that would mean nothing."""
    neutral = situation.race_state == "neutralised"
    parts: list[Part] = [("Neutral start" if neutral else "Pre-start", "bold $warning")]
    stage = situation.stage
    if stage is not None and stage.scheduled_start is not None:
        parts.append(f" {fmt.clock(stage.scheduled_start, situation.timezone)}")
    if situation.race_state_detail:
        parts.append(f" · {situation.race_state_detail}")
    parts.append(f"  {fmt.clock(situation.t, situation.timezone)}")
    return line(*parts)


def estimated_head_km(situation: Situation, age_s: float) -> float | None:
    """The head of the race's km to go now, if it kept its last speed for `age_s` seconds.

    None when there is nothing to extrapolate from (no speed, or the race is won).
    """
    km, speed = situation.head_km_to_finish, situation.head_speed_kmh
    if km is None or not speed or speed <= 0 or situation.winner_finished:
        return None
    return max(0.0, km - speed * age_s / 3600.0)


def feed_status_line(view: ViewContext, situation: Situation | None = None) -> Line:
    """The feed's state and the age of the data, e.g. "simulated: ● live 2 s"; its one class
    colours it ("-live", "-stale", "-paused", "-error", "-ended", "-waiting"). A live feed whose
    riders cannot be placed says what is missing instead (e.g. "positions only: no route"):
    never `live` over an empty screen."""
    feed, age_s, retry_in_s = view.feed, view.data_age_s, view.retry_in_s
    state = view.feed_state
    speed = f" {speed_text(view.replay_speed)}" if view.replay_speed is not None else ""
    if view.in_past:
        live = fmt.km(view.live_km) if view.live_km is not None else "?"
        pace = f" ·{speed}" if speed else ""
        # The past plays on unless paused: say which.
        paused = f" · ⏸ paused ({view.pause_key})" if view.paused else ""
        return line(f"◀ in the past{paused} · live at {live} km{pace}", classes={"-past"})
    if view.paused:
        text, css = f"⏸ paused ({view.pause_key})", "-paused"
    elif race_over(situation) and state in ("live", "stale", "ended"):
        text, css = "finished", "-ended"
    elif state == "stale":
        text, css = f"stale {fmt.age(age_s)}", "-stale"
    elif state == "live" and situation is not None and situation.placing == "none":
        text, css = f"{situation.placing_detail} · data {fmt.age(age_s)} old", "-stale"
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
    elif state == "waiting":  # Nothing is wrong, and nothing is live: what comes next.
        text, css = (feed.detail if feed is not None and feed.detail else "waiting"), "-waiting"
    elif state == "ended":
        # Nothing more will come: when the data stopped, not an age that counts on.
        seen = situation.t if situation is not None else None
        last = f" · last data {fmt.clock(seen, situation.timezone)}" if situation and seen else ""
        text, css = f"ended{last}", "-ended"
    else:
        text, css = state, "-stale"
    if feed is not None and feed.rejected:
        text += f" · {counted(feed.rejected, 'bad event')}"
    if feed is not None and feed.other_stage:
        text += f" · {counted(feed.other_stage, 'frame')} of another stage ignored"
    return line(f"{view.feed_label}{speed}: {text}", classes={css})


def speed_text(speed: float) -> str:
    """ "x20", "x0.5"; "x max" for as fast as possible."""
    return f"x{speed:g}" if speed > 0 else "x max"
