"""The triage pipeline: redact -> embed -> retrieve -> classify -> route -> draft -> guard. No FastAPI here."""
