"""What each panel says, as styled lines, without Textual: one module per panel.

A builder takes the `Situation` (and what it needs of the view) and returns `Line`s; the widgets
in `tui.widgets` turn them into Textual content, and `ardoise situation` prints their plain text
(`report`). Feed text (rider names) is only ever placed in literal parts, never parsed as markup.
"""
