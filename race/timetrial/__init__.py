"""Time trials: each rider timed against the best time at the same point of the course."""
