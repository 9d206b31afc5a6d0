"""Ardoise's own formats: the JSONL recording line and the served feed's wire events."""
