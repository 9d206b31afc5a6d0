"""The Textual app, the command line and configuration loading."""

__version__ = "0.1.0"
