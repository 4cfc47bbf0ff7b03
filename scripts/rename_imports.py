"""Rewrite imports of the `app` package to its installed name `kempelen` (the directory stays app/).

The wheel installs app/ as `kempelen` so that it cannot collide with a user's own `app` package. Usage:
    python scripts/rename_imports.py [FILE ...]     # default: every tracked text file that may name modules
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUFFIXES = {".py", ".toml", ".ini", ".cfg", ".md", ".txt", ".sh", ".yaml", ".yml", ".json"}
NAMES = {"Makefile", "Dockerfile", "run"}

# `app.<module>` where <module> is a submodule of app/ (so FastAPI's `app.state`, `app.openapi()` stay),
# which covers `import app.x` too, and `from app import ...`.
def _submodules() -> set[str]:
    return {p.stem for p in (ROOT / "app").iterdir()
            if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"} - {"__init__"}


def rewrite(text: str, modules: set[str]) -> str:
    alternatives = "|".join(sorted(modules, key=len, reverse=True))
    text = re.sub(rf"(?<![\w.$/-])app\.(?=(?:{alternatives})\b)", "kempelen.", text)
    text = re.sub(r"^(\s*)from app import ", r"\1from kempelen import ", text, flags=re.M)
    return text


def main(argv: list[str]) -> int:
    modules = _submodules()
    if argv:
        files = [Path(a) for a in argv]
    else:
        listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
        files = [ROOT / f for f in listed.stdout.split()
                 if Path(f).suffix in SUFFIXES or Path(f).name in NAMES]
        files = [f for f in files if "openapi" not in f.parts and f.name != Path(__file__).name]
    changed = 0
    for path in files:
        try:
            old = path.read_text()
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        new = rewrite(old, modules)
        if new != old:
            path.write_text(new)
            changed += 1
    print(f"rewrote {changed} file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
