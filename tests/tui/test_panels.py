"""The panels' text builders: Textual-free, reading only the `Situation`, and what they say."""

from __future__ import annotations

import ast

from race.models import FeedStatus
from race.situation import Alert, Situation
from tests.support.imports import loaded_after_import, modules_in
from tests.support.stages import ROOT, flat_at
from tui.panels.format import km, km_to_go
from tui.panels.header import feed_status_line
from tui.panels.radio import radio_lines
from tui.panels.report import text_report
from tui.panels.view import STALE_AFTER_S, WIDE_FROM, ViewContext

SITUATION_TYPES = {
    "race.situation",
    "race.models",
    "race.wording",
    "race.card",
    "race.wind.view",
    "race.story",
}
"""What the UI may import from race/: the `Situation`, the types it holds (the wind's among
them), its wording, a rider's card made from it (`race.card`), and the views the engine makes
when asked (`race.story`: the gap chart's, the results')."""
ENGINE_DRIVERS = {
    "tui/app.py",
    "tui/engineroom.py",
    "tui/seeking.py",
    "tui/headless.py",
    "tui/timemachine.py",
    "tui/startpoint.py",
    "tui/bake.py",
}
"""The modules that drive the engine or keep it between launches (and so may import it, its
history and its settings)."""
COMPOSITION = {"tui/config.py", "tui/assembly.py", "tui/roles.py"}
"""Configuration: builds the engine's settings, rule sets and roles file, not part of the UI."""


def test_panels_do_not_load_textual() -> None:
    loaded = loaded_after_import(modules_in("tui/panels"))
    assert not loaded & {"textual", "rich"}, sorted(loaded & {"textual", "rich"})


def test_the_ui_reads_only_the_situation() -> None:
    offenders = []
    for path in sorted((ROOT / "tui").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name in COMPOSITION:
            continue
        allowed = SITUATION_TYPES | (
            {"race.engine", "race.settings", "race.history"} if name in ENGINE_DRIVERS else set()
        )
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                imported = [node.module or ""]
            elif isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            else:
                continue
            offenders += [
                f"{name}:{node.lineno} {module}"
                for module in imported
                if module.split(".")[0] == "race" and module not in allowed
            ]
    assert not offenders, offenders


def test_feed_status_words() -> None:
    def words(**view: object) -> tuple[str, set[str]]:
        shown = feed_status_line(ViewContext(feed_label="sse", **view))  # type: ignore[arg-type]
        return shown.plain, set(shown.classes)

    live = FeedStatus(state="live", at=0.0)
    assert words() == ("sse: connecting", {"-stale"})
    assert words(feed=live, data_age_s=2.0) == ("sse: ● live 2 s", {"-live"})
    old = STALE_AFTER_S + 5
    assert words(feed=live, data_age_s=old) == (f"sse: stale {old:.0f} s", {"-stale"})
    assert words(feed=live, data_age_s=old, paused=True) == ("sse: ⏸ paused (p)", {"-paused"})
    error = FeedStatus(state="error", at=0.0, detail="refused", rejected=1)
    assert words(feed=error, retry_in_s=7.2) == (
        "sse: error: refused · retry in 7 s · 1 bad event",
        {"-error"},
    )


def test_a_wide_view() -> None:
    assert not ViewContext(width=WIDE_FROM - 1).wide
    assert ViewContext(width=WIDE_FROM).wide


def test_radio_lines_by_time_news_first() -> None:
    situation = Situation(
        alerts=(
            Alert(t=120.0, kind="gap", text="b alert"),
            Alert(t=60.0, kind="gap", text="z alert"),
            Alert(t=60.0, kind="gap", text="a alert"),
        ),
        news=(Alert(t=60.0, kind="news", text="crash"),),
    )
    assert [line.plain for line in radio_lines(situation)] == [
        "00:01 » crash",
        "00:01 a alert",
        "00:01 z alert",
        "00:02 b alert",
    ]


def test_text_report_has_every_panel() -> None:
    """The stage and the head, then each panel's rows: the trains as on a wide screen."""
    _, situation = flat_at(5.0)
    assert situation.head_km_to_finish is not None
    report = text_report(situation, None).splitlines()
    titles = ["TIME GAPS", "TIME LIMIT", "LEAD-OUT (final 10 km)", "RACE RADIO"]
    assert [line for line in report if line in titles] == titles
    assert report[1].startswith(f"{km(situation.head_km_to_finish)} km to go · ")
    trains = report[report.index(titles[2]) + 2 :]
    assert max(line.count("▸") for line in trains) > 2, "every lead-out man, not the last only"


def test_a_distance_unknown_is_a_question_mark_never_zero() -> None:
    assert km_to_go(4.24) == "4.2 km to go"
    assert km_to_go(0.0) == "0.0 km to go"
    assert km_to_go(None) == "? km to go"
