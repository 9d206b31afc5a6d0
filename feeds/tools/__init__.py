"""What the commands do with a feed: record it (`ardoise record`), serve it (`ardoise serve`)."""
