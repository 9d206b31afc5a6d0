"""The time limit: the rules as data, the day's cut forecast and then final, each group's
projected margin, statuses and alerts."""
