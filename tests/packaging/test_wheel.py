"""Kempelen as a user installs it: a wheel built from this checkout, installed into a fresh virtual
environment (no editable checkout anywhere), running the README's pytest example inside a project that has
its own `app` package, the usual FastAPI and Flask layout."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.plugin.test_plugin import readme_example

pytestmark = pytest.mark.long

ROOT = Path(__file__).resolve().parents[2]
# What building the wheel reads; copied away so the build leaves no build/ or egg-info in the checkout.
BUILD_INPUTS = ("app", "migrations", "pyproject.toml", "setup.py", "README.md")
# The server's own libraries: the pytest plugin and the scripted-worker client must load without them.
SERVER_MODULES = {"fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "pydantic", "lxml", "psycopg",
                  "kempelen.main", "kempelen.store", "kempelen.operations"}


def run(*argv, **options) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=300, **options)
    assert done.returncode == 0, f"{' '.join(map(str, argv))} failed:\n{done.stdout}\n{done.stderr}"
    return done


def built_once(tmp_path_factory, name: str, build) -> Path:
    """`build(directory)` run once per test run, whichever test process needs it first; the others wait for it
    and share the result (a module fixture alone is built again by every pytest-xdist worker that runs one of
    this module's tests: a wheel and a virtual environment, tens of seconds of CPU each time)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's directory, shared by its workers
    directory = base / f"shared-{name}"
    with open(base / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (directory / ".built").exists():
            shutil.rmtree(directory, ignore_errors=True)  # a build that failed half way
            directory.mkdir()
            build(directory)
            (directory / ".built").touch()
    return directory


def _build_wheel(dist: Path) -> None:
    source = dist / "source"
    source.mkdir()
    for name in BUILD_INPUTS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, source / name)
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", dist, source)
    shutil.rmtree(source)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    [built] = built_once(tmp_path_factory, "wheel", _build_wheel).glob("kempelen-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel) -> Path:
    """A fresh environment with the wheel, pytest and boto3, as the README tells users to set one up."""
    def build(where: Path) -> None:
        run(sys.executable, "-m", "venv", where)
        # --no-compile: byte-compiling every dependency (botocore's thousands of files) was a third of the
        # install; Python compiles what the tests import anyway
        run(where / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-compile", wheel, "pytest", "boto3")

    return built_once(tmp_path_factory, "venv", build) / "bin" / "python"


def shipped(path: Path) -> bool:
    return "__pycache__" not in path.parts and path.suffix != ".pyc" and path.is_file()


def test_the_wheel_carries_every_file_of_the_package_and_its_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"kempelen/{p.relative_to(ROOT / 'app').as_posix()}" for p in (ROOT / "app").rglob("*") if shipped(p)}
    expected |= {f"kempelen/migrations/{p.relative_to(ROOT / 'migrations').as_posix()}"
                 for p in (ROOT / "migrations").rglob("*") if shipped(p)}
    assert expected - names == set()
    assert "kempelen/migrations/versions/0001_initial_schema.py" in names
    assert not [n for n in names if n.startswith("app/") or n.startswith("migrations/")]
    entry_points = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    assert "kempelen = kempelen.cli:main" in entry_points
    assert "kempelen = kempelen.testing.plugin" in entry_points


def test_the_plugin_and_the_worker_client_load_without_the_server(venv, tmp_path):
    probe = (f"import sys, kempelen.testing, kempelen.testing.plugin, kempelen.testing.workforce\n"
             f"loaded = sorted(m for m in {sorted(SERVER_MODULES)!r} if m in sys.modules)\n"
             f"print(','.join(loaded))\n")
    assert run(venv, "-c", probe, cwd=tmp_path).stdout.strip() == ""


def test_the_installed_server_migrates_a_new_database(venv, tmp_path):
    """Outside any checkout: the migrations come from the package."""
    done = run(venv.parent / "kempelen", "db", "upgrade", "--data-dir", tmp_path / "data", cwd=tmp_path,
               env={**os.environ, "KEMPELEN_MIGRATIONS_DIR": ""})
    assert "database at head" in done.stdout
    assert (tmp_path / "data" / "kempelen.db").stat().st_size > 0


def test_the_readme_example_passes_in_a_project_with_its_own_app_package(venv, tmp_path):
    project = tmp_path / "project"
    (project / "app").mkdir(parents=True)
    (project / "tests").mkdir()
    # The user's own `app` package, which their tests import as usual.
    (project / "app" / "__init__.py").write_text('"""The user\'s application."""\n')
    (project / "app" / "labels.py").write_text("ANIMALS = ('cat', 'dog')\n")
    (project / "tests" / "test_readme.py").write_text(readme_example())
    (project / "tests" / "test_own_app.py").write_text(textwrap.dedent("""
        from app.labels import ANIMALS

        def test_the_projects_own_app_package_imports(mturk):
            assert "cat" in ANIMALS and mturk.get_account_balance()["AvailableBalance"] == "10000.00"
    """))
    # A module on the user's PYTHONPATH shadowing one of the server's dependencies: the server the
    # plugin starts must not import it (it runs isolated), or it would fail to start.
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "uvicorn.py").write_text("raise ImportError('the user\\'s uvicorn.py was imported')\n")
    env = {key: value for key, value in os.environ.items() if not key.startswith("KEMPELEN_")}
    env["PYTHONPATH"] = os.pathsep.join([str(project), str(shadow)])
    done = subprocess.run([str(venv), "-m", "pytest", "-v", "-p", "no:cacheprovider"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout
    assert "plugins: kempelen-" in done.stdout
