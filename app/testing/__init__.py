"""Test helpers users can import: a live Kempelen server on a temporary database, its clock, and scripted
workers. ``pip install kempelen`` registers the pytest plugin (``app.testing.plugin``) with its fixtures."""

from app.client import KempelenError
from app.testing.server import LiveServer
from app.testing.workforce import ScriptedWorker, Workforce

__all__ = ["KempelenError", "LiveServer", "ScriptedWorker", "Workforce"]
