"""The wind along the road: what the riders' sensors measure, and where the route ahead turns
across it (`watch.py` the readings, `crosswind.py` the route's geometry, `view.py` what the
situation carries)."""
