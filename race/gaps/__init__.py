"""The groups on the road: split, identified across updates, named, their gaps, trends, catches
and alerts."""
