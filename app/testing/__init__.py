"""Test helpers users can import: a live Kempelen server on a temporary database, and its clock."""

from app.testing.server import LiveServer

__all__ = ["LiveServer"]
