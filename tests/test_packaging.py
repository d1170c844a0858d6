"""What Vercel installs and runs agrees with what we develop and test."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _normalise(req: str) -> str:
    return re.sub(r"\s+", "", req.split("#")[0]).lower()


def test_requirements_txt_matches_pyproject_dependencies() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    declared = {_normalise(d) for d in pyproject["project"]["dependencies"]}
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    pinned = {_normalise(line) for line in lines if _normalise(line)}
    assert declared == pinned


def test_python_version_is_312() -> None:
    assert (ROOT / ".python-version").read_text().strip() == "3.12"


def test_api_files_only_build_their_app() -> None:
    """Each function entrypoint imports one factory and calls it, with the collector off while
    it does (docs/ARCHITECTURE.md, "Cold starts"): nothing else at cold start."""
    for path in (ROOT / "api").rglob("*.py"):
        tree = ast.parse(path.read_text())
        lines = [ast.unparse(node) for node in tree.body]
        factory = lines[2].rsplit(" ", 1)[-1]
        assert lines == [
            "import gc",
            "gc.disable()",
            f"from ops_agent.http.functions import {factory}",
            f"app = {factory}()",
            "gc.freeze()",
            "gc.enable()",
        ], path


def test_an_imported_function_leaves_the_collector_on() -> None:
    probe = (
        "import gc, runpy; runpy.run_path('api/health.py');"
        " print(gc.isenabled(), gc.get_freeze_count() > 0)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["True", "True"]


def test_no_root_entrypoint_turns_the_project_into_one_function() -> None:
    for name in ("app.py", "index.py", "main.py", "server.py", "wsgi.py", "asgi.py"):
        for folder in (ROOT, ROOT / "src", ROOT / "app"):
            assert not (folder / name).exists(), folder / name
