"""Persistence: typed models, the engine/session factory, repositories and Alembic migrations."""
