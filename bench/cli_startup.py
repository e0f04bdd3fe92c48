"""Start-up benchmark of the `oqu` command: what a command costs before it does its work.

Each case runs in a new process, in a copy of the example site (content/ and site_config.yml),
interleaved, `--repeat` times; the fastest wall and CPU time (the process and its children:
the build's pools) are printed with the range. Each command runs twice: as `oqu` runs it now
(its modules load when it runs) and with every command's modules loaded first, builder's and
service's (what each `oqu` process paid before the commands loaded lazily), the baseline of
the same run; `python -c pass` is the floor. The cases:

- `oqu --help`, `oqu check`;
- `oqu build --quiet` on an up-to-date build (a teacher's "nothing changed" rebuild), after
  one untimed full build, unless --no-build.

Figures are printed, nothing is asserted. Run:

    .venv/bin/python bench/cli_startup.py [--repeat 5] [--no-build]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OQU = "from quiz_service.cli import main; main(prog_name='oqu')"
ALL_LOADED = (
    "import click; from quiz_service.cli import main; context = click.Context(main); "
    "[main.get_command(context, name) for name in main.list_commands(context)]; "
    "main(prog_name='oqu')"
)


def run(code: str, args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (the process and its children) of `python -c code args` in `cwd`."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-build", action="store_true", help="skip the build case")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oqu-cli-bench-") as folder:
        site = Path(folder) / "site"
        shutil.copytree(REPO / "content", site / "content")
        shutil.copy(REPO / "site_config.yml", site)
        commands = [["--help"], ["check"]]
        if not options.no_build:
            print(f"first build (untimed), load {os.getloadavg()[0]:.1f} …", flush=True)
            run(OQU, ["build", "--quiet"], site)
            commands.append(["build", "--quiet"])
        cases = [("python -c pass", "pass", [])]
        for args in commands:
            cases += [
                (f"oqu {' '.join(args)}", OQU, args),
                (f"oqu {' '.join(args)}, all loaded", ALL_LOADED, args),
            ]
        times: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in cases}
        for _ in range(options.repeat):
            for name, code, args in cases:
                times[name].append(run(code, args, site))
        print(f"load {os.getloadavg()[0]:.1f}; best of {options.repeat} (range)")
        print(f"{'case':36} {'wall s':>18} {'CPU s':>18} {'CPU / all loaded':>17}")
        for name, measured in times.items():
            walls, cpus = [w for w, _ in measured], [c for _, c in measured]
            baseline = times.get(f"{name}, all loaded")
            ratio = f"{min(cpus) / min(c for _, c in baseline):17.2f}" if baseline else ""
            print(
                f"{name:36} {min(walls):6.2f} ({min(walls):.2f}–{max(walls):.2f})"
                f" {min(cpus):6.2f} ({min(cpus):.2f}–{max(cpus):.2f}){ratio}"
            )


if __name__ == "__main__":
    main()
