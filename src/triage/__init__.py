"""triage: LLM-assisted ticket triage for trust-and-safety operations."""

__version__ = "0.1.0"
