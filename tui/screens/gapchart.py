"""The gap chart on a screen of its own: how the gaps evolved since the start, the catches and
the time-limit cut. On its key only: the race screen shares its rows between the panels by
priority at every size, and a chart a few rows high beside them tells nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from race.story import GapStory
from tui.widgets.gapchart import GapChart

REFRESH_S = 1.0
"""The chart takes a sample every half km of the head's road: once a second is plenty."""

Story = Callable[[], GapStory]
"""The gap story so far, asked for at each refresh (`Race.gap_story`)."""


class GapChartScreen(ModalScreen[None]):
    """The chart over the race screen, following the race until closed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,g,q", "dismiss", "Close", id="close-chart", tooltip="Close the gap chart")
    ]

    def __init__(self, story: Story, *, close_keys: str = "escape or g") -> None:
        super().__init__()
        self._story = story
        self._close_keys = close_keys
        self.chart = GapChart()

    def compose(self) -> ComposeResult:
        with Vertical(id="chart-box") as box:
            box.border_title = "TIME GAPS OVER THE ROAD"
            yield self.chart
            yield Static(
                f"gap to the head of the race by km from the start · {self._close_keys} closes",
                id="chart-close",
            )

    def on_mount(self) -> None:
        self._refresh_chart()
        self.set_interval(REFRESH_S, self._refresh_chart)

    def _refresh_chart(self) -> None:
        self.chart.show(self._story())

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
