"""Ardoise's race model and analysis: pure, no I/O, no clock, no UI."""
