"""The widgets of the race screen: each renders a part of the `Situation`, nothing more."""
