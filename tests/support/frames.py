"""Made-up frames for the engine's tests: a start list, frames at `T0 + t`, riders riding
steadily, and the frames that show a race on the move (the engine waits for them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from race.engine import Race
from race.models import Rider, RiderFix, Stage, StartList, Team, Telemetry
from race.situation import Situation
from tests.support.stages import engine_settings

T0 = 1_800_000_000.0
DISTANCE = 150.0


def start_list(riders: int = 30, stage_type: str = "flat", distance: float = DISTANCE) -> StartList:
    return StartList(
        stage=Stage.model_validate(
            {
                "race": "Test",
                "year": 2026,
                "number": 1,
                "start": "A",
                "finish": "B",
                "distance_km": distance,
                "type": stage_type,
                "scheduled_start": T0,
            }
        ),
        teams=(Team(code="AAA", name="A"), Team(code="BBB", name="B")),
        riders=tuple(
            Rider(
                bib=b,
                first_name="F",
                last_name=f"R{b}",
                team="AAA" if b % 2 else "BBB",
                role="sprinter" if b == 2 else None,
            )
            for b in range(1, riders + 1)
        ),
    )


def frame(t: float, kms: Mapping[int, float | None], **fields: Mapping[int, object]) -> Telemetry:
    """A frame at `T0 + t`; extra fields per rider, e.g. speed_kmh={1: 45.0}."""
    fixes = []
    for bib, km in kms.items():
        extra = {name: values[bib] for name, values in fields.items() if bib in values}
        fixes.append(RiderFix.model_validate({"bib": bib, "km_to_finish": km, **extra}))
    return Telemetry(t=T0 + t, riders=tuple(fixes))


def rolling_up_to(race: Race, t: float, kms: Mapping[int, float | None]) -> None:
    """The two frames before `t` that show the race on the move towards `kms` (a race is
    seen moving over three frames: see `race.tracking.state`); the test's frame is the third."""
    for back in (12.0, 6.0):
        ahead = {b: None if km is None else km + 45.0 * back / 3600 for b, km in kms.items()}
        race.apply(frame(t - back, ahead, speed_kmh={b: 45.0 for b in kms}))


def ride(
    race: Race,
    positions: Iterable[tuple[float, Mapping[int, float | None]]],
    speed: float = 45.0,
) -> Situation:
    situation = race.situation
    for t, kms in positions:
        situation = race.apply(frame(t, kms, speed_kmh={b: speed for b in kms}))
    return situation


def steady(
    start_s: float, end_s: float, step: float, riders: Mapping[int, tuple[float, float]]
) -> list[tuple[float, dict[int, float | None]]]:
    """Riders at (km to go at `start_s`, speed km/h), one frame every `step` seconds."""
    out: list[tuple[float, dict[int, float | None]]] = []
    t = start_s
    while t <= end_s + 1e-9:
        out.append(
            (
                t,
                {
                    b: round(max(0.0, km - kmh * (t - start_s) / 3600), 2)
                    for b, (km, kmh) in riders.items()
                },
            )
        )
        t += step
    return out


def new_race(**changes: object) -> Race:
    race = Race(engine_settings(**changes))
    race.apply(start_list())
    return race
