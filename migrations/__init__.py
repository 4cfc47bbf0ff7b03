"""Alembic's migrations, installed as `kempelen.migrations` (see setup.py); Alembic skips __init__ files."""
