"""Cold import of each function as Vercel bundles it, against a bare FastAPI app with bytecode.

Runs `vercel build` (scripts/vercel_build_check.py, so with VERCEL_PYTHON_COMPILEALL=1), lays
each function out as its `.vc-config.json`'s `filePathMap` says, and times fresh interpreters
importing its entrypoint with the function's environment (`PYTHONPATH=_vendor`, no bytecode
written, no `site`: nothing outside the bundle but the standard library). The baseline is a
module holding `app = FastAPI()`, over the same `_vendor` and compiled to bytecode. The
entrypoints import with the garbage collector off (docs/ARCHITECTURE.md, "Cold starts"), so a
second, like-for-like baseline does the same: its column is what trimming imports alone is
worth. Each round alternates baselines and function; a ratio is the median of the rounds'
ratios. Read the ratios; this machine is shared and noisy.

Targets (issue 21): the health function within 1.2x of the baseline, every other within 1.6x.

    python bench/cold_start.py [--rounds 11] [--only health,drains/logs] [--json] [--keep DIR]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import vercel_build_check as vbc  # noqa: E402

BARE = "from fastapi import FastAPI\n\napp = FastAPI()\n"
# The same bare app with the entrypoints' collector treatment (docs/ARCHITECTURE.md, "Cold
# starts"): the like-for-like column, which shows what import trimming alone is worth.
BARE_GC = "import gc\n\ngc.disable()\n" + BARE + "gc.freeze()\ngc.enable()\n"


def lay_out(project: Path, func: Path, dest: Path) -> str:
    """Copy (hard-link where possible) the function's files to `dest`; its module name."""
    vc = json.loads((func / ".vc-config.json").read_text())
    for bundled, source in vc.get("filePathMap", {}).items():
        src = Path(source) if Path(source).is_absolute() else project / source
        target = dest / bundled
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, target)
        except OSError:
            shutil.copy2(src, target)
    rel = func.relative_to(project / ".vercel" / "output" / "functions").with_suffix(".py")
    return ".".join(rel.with_suffix("").parts)


def timed_import(folder: Path, module: str) -> float:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": f"_vendor{os.pathsep}.",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    started = time.perf_counter()
    # -S: no site, so the packages of the environment running the bench cannot stand in for
    # ones the bundle lacks (httpx imports its CLI, and with it rich and click, when they are
    # importable); the function sees the standard library and its own `_vendor`, as on Vercel.
    subprocess.run(  # noqa: S603 (this interpreter)
        [sys.executable, "-S", "-c", f"import {module}"], cwd=folder, env=env, check=True
    )
    return time.perf_counter() - started


def _ratio(own: list[float], base: list[float]) -> float:
    """The median of each round's own ratio: the machine's drift hits both sides of a round
    alike."""
    return round(statistics.median(o / b for o, b in zip(own, base, strict=True)), 2)


def run(
    rounds: int, only: set[str] | None, keep: Path | None = None
) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="ops-agent-cold-") as tmp:
        project = Path(tmp) / "project"
        project.mkdir()
        vbc.copy_project(project)
        built = vbc.build(project)
        if built.returncode != 0:
            raise RuntimeError(f"vercel build failed:\n{built.stderr[-2000:]}")
        functions = sorted((project / ".vercel" / "output" / "functions").rglob("*.func"))
        layouts: dict[str, tuple[Path, str]] = {}
        root = project / ".vercel" / "output" / "functions" / "api"
        for func in functions:
            name = func.relative_to(root).as_posix().removesuffix(".func")  # drains/logs
            if only and name not in only:
                continue
            dest = Path(tmp) / "layout" / name.replace("/", "_")
            layouts[name] = (dest, lay_out(project, func, dest))
        bare = Path(tmp) / "bare"
        bare.mkdir()
        first = next(iter(layouts.values()))[0]
        (bare / "_vendor").symlink_to(first / "_vendor")
        (bare / "bare.py").write_text(BARE)
        (bare / "bare_gc.py").write_text(BARE_GC)
        compileall.compile_dir(str(bare), maxlevels=0, quiet=1)
        for name, (folder, module) in layouts.items():
            timed_import(folder, module)  # the page cache, not the import, pays for the first
            timed_import(bare, "bare")
            base, base_gc, own = [], [], []
            for _ in range(rounds):
                base.append(timed_import(bare, "bare"))
                own.append(timed_import(folder, module))
                base_gc.append(timed_import(bare, "bare_gc"))
            results[name] = {
                "import_ms": round(statistics.median(own) * 1000, 1),
                "baseline_ms": round(statistics.median(base) * 1000, 1),
                "ratio": _ratio(own, base),
                "baseline_gc_off_ms": round(statistics.median(base_gc) * 1000, 1),
                "ratio_like_for_like": _ratio(own, base_gc),
            }
        if keep is not None:  # for `python -X importtime -c "import api.tasks"` in a layout
            shutil.copytree(Path(tmp) / "layout", keep, symlinks=True, dirs_exist_ok=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--only", help="comma-separated functions (health,drains/logs,...)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", type=Path, help="copy each function's layout here")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    results = run(args.rounds, only, args.keep)
    if args.json:
        print(json.dumps({"rounds": args.rounds, "baseline": "bare FastAPI", "results": results}))
        return 0
    print(f"cold import, median of {args.rounds} fresh interpreters each")
    print("(baseline: `app = FastAPI()` with bytecode, over the same _vendor, alternating;")
    print(" like for like: the same baseline with the entrypoints' collector treatment)")
    print(
        f"{'function':<14} {'import ms':>10} {'baseline ms':>12} {'ratio':>7} {'like for like':>14}"
    )
    for name, r in results.items():
        print(
            f"{name:<14} {r['import_ms']:>10.1f} {r['baseline_ms']:>12.1f} {r['ratio']:>6.2f}x"
            f" {r['ratio_like_for_like']:>13.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
