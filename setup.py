"""Installs the app/ directory as the import package `kempelen` (metadata lives in pyproject.toml).

pyproject.toml alone cannot compute the sub-package list under a renamed directory, so it is done here.
The top-level migrations/ travels inside the package as `kempelen.migrations`, so an installed server
(a wheel, the Docker image) migrates its database without the checkout beside it."""

from setuptools import find_packages, setup

setup(
    package_dir={"kempelen": "app", "kempelen.migrations": "migrations"},
    packages=["kempelen", *(f"kempelen.{name}" for name in find_packages("app")),
              "kempelen.migrations", "kempelen.migrations.versions"],
)
