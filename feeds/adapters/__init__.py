"""The feed adapters found by name through `ardoise.feeds`: simulated, recording, http, sse."""
