"""Installs the app/ directory as the import package `kempelen` (metadata lives in pyproject.toml).

pyproject.toml alone cannot compute the sub-package list under a renamed directory, so it is done here."""

from setuptools import find_packages, setup

setup(
    package_dir={"kempelen": "app"},
    packages=["kempelen", *(f"kempelen.{name}" for name in find_packages("app"))],
)
