"""Feed adapters: connect to a provider, read, and turn its format into `race.models` events."""
