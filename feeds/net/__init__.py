"""What the network adapters share: the live-feed base, its failures, and the SSE decoder."""
