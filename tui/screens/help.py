"""The help screen: what each panel shows, the symbols, and the keys."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

HELP = """\
# Ardoise

**Header**: km to go for the head of the race, the time of day, the race time and the head's
speed. Before the race it says what the feed shows instead (`Pre-start · riders off the
route`, `Neutral start · riders rolling`): nothing is timed until the riders are seen racing.
The race time counts from the real start; `(start seen)`, `(start extrapolated)` or
`(start scheduled)` says how it was found (narrow screens: `≈` before the race time when it
was not seen). `⚠ doubtful:` says which of Ardoise's own numbers cannot be right. On wide
screens the title ends with the organiser's weather at the checkpoint ahead of the race.

**Time gaps**: the groups on the road, front first. The gap is a *passage time*: how long ago
the head of the race passed the point where the group is now (what official timing measures).
`▼ −14 s/10 km` means the gap is falling by 14 s every 10 km; `catch ≈ 9 km to go` projects
where the group behind catches the group ahead if the trends hold, with its basis.
A dim `Organiser:` line says where the organiser's own groups disagree with Ardoise's; without
rider telemetry the panel shows the organiser's groups instead, marked `Organiser's groups`.
Each row names who is in the group: every rider when they fit, else the jersey wearers, my
team, marked riders and sprinters first, then `+N` more. Up and down highlight a group, enter
(or a click on its row) shows all its riders: bib, name, team, nation, jersey and status
against the time limit; escape goes back. A `#63` after a name tells apart two riders in view
who share it.

**Time limit**: the day's cut from the official tables: coefficient, the winner's forecast
average speed, the percentage it gives, and the cut. Each group behind gets its projected gap
at the finish and its margin to the cut: `✓ safe`, `! tight`, `⚠ DANGER`, `✗ OUTSIDE`. After the
winner finishes, the cut is final and each group still on the road gets a countdown.

**Lead-out**: in the finale, each sprinter's train in road order with positions in the race,
the distance from the sprinter to his last man, and his state: `✓` on the wheel, `↔` gap
opening, `✗` lost the wheel, `⚠` boxed in (riders of other teams in between), `…` out of
position. Positions are approximate: the feed sends a frame every few seconds, and the panel
says how far the bunch moves between two frames; a state drawn plain, with `?`, is not
established, and when frames are too far apart no wheel is judged. A detected train shows `–`
until the data shows whom its riders ride for; the palette's `Sprinter:` command (ctrl+p, then
a name, bib or team) names a team's sprinter during the race. When a small group sprints for
the win, the panel shows it by team instead of trains.

**Find a rider or a team** (`/`): type a name (accents not needed), a bib, a team's code or
name; enter opens the rider's card (his team, nation, jersey, role, group and gap, km to go,
speed: his own or his group's, as it says, and his status against the time limit) or lists the
team's riders. `*` marks or unmarks the rider highlighted, or the rider of the card: a marked
rider is named first in his group's row, `★` before his name, wherever he rides, he is watched
against the time limit, and the race radio says when he is dropped from his group. Marks are
kept per race (`[team] marked` are the first ones) in the user's state folder.

A `?` is a number the data cannot give (a margin while a rider is lost by the feed) or a
guess (a winner decided by less than the feed's 10 m steps).

**Race radio**: alerts as they happen (a break forms or is caught, a gap moves fast, a group
with a sprinter gets tight on the time limit, a sprinter loses the wheel). My team's alerts and
the critical ones also pop up on a row of their own above the keys, for a minute of race time.

**Time machine**: ← and → move through what the feed has sent by 1 km of the head's road
(shift: 10 km, home: the start); the panels show the race as it was there, the header says
`◀ in the past` with where live is, and the feed goes on meanwhile. End comes back to live. On
a replay, → past what was delivered makes it go ahead, and + and - change its speed.

**Rows by priority**: groups in danger or outside the limit, my team, the head of the race and
the peloton, and the finale's first four trains always stay on screen. When a panel is short
of rows, its least important rows fold into a `+N more` line, which names the key that shows
every row.

| key | action |
|---|---|
{keys}
| ctrl+p | command palette (`Sprinter:` sets a team's sprinter) |
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="close-help", tooltip="Close help")
    ]

    def __init__(self, keys: list[tuple[str, str]], *, close_keys: str = "escape or ?") -> None:
        """
        Args:
            keys: (key, what it does) for each of the app's bindings, as they are bound now.
            close_keys: the keys that close the help, as `[keymap]` binds them.
        """
        super().__init__()
        self._keys = keys
        self._close_keys = close_keys

    def compose(self) -> ComposeResult:
        rows = "\n".join(f"| {key} | {description} |" for key, description in self._keys)
        with Vertical(id="help"):
            # Above the text, not at its end: on a small screen the end is below the fold.
            yield Static(f"{self._close_keys} closes the help", id="help-close", markup=False)
            with VerticalScroll():
                yield Markdown(HELP.replace("{keys}", rows))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
