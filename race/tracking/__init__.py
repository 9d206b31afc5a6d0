"""Riders tracked frame by frame: their fixes checked, their trajectories, the head of the race,
the finish, the real start, and the geometry of the Earth and the route."""
