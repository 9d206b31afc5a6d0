"""The lead-out: riders' places in the bunch, the trains (declared or detected), each sprinter's
state and its alerts."""
