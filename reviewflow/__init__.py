"""reviewflow: a terminal-first systematic-review workflow manager."""

__version__ = "0.1.0"
