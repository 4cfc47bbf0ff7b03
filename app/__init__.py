"""Kempelen: the Amazon Mechanical Turk Requester API (2017-01-17), self-hosted."""

__version__ = "0.1.0"
