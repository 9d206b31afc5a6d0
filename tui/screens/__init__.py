"""Screens other than the main race screen."""
