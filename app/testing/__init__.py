"""Test helpers users can import: a live Kempelen server on a temporary database, its clock, and scripted
workers. ``pip install kempelen`` registers the pytest plugin (``kempelen.testing.plugin``) with its fixtures."""

from kempelen.client import KempelenError
from kempelen.testing.server import LiveServer
from kempelen.testing.crowd import Behaviour, Crowd
from kempelen.testing.policies import Accuracy, CsvAnswers, RandomAnswers, Task
from kempelen.testing.workforce import ScriptedWorker, Workforce

__all__ = ["Accuracy", "Behaviour", "Crowd", "CsvAnswers", "KempelenError", "LiveServer", "RandomAnswers",
           "ScriptedWorker", "Task", "Workforce"]
