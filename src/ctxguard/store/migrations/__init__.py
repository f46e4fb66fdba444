"""Alembic migrations of the store's schema; they ship inside the package."""
