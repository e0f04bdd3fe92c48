"""`oqu publish` and `oqu rollback`: releases of build/site (and build/service) on a web server.

A target is a folder, local (`/srv/oqu/site`) or over SSH (`user@host:/srv/oqu/site`):

    TARGET/releases/<release>/   one complete copy per publish (unchanged files hard-linked to the
                                 previous release by rsync's --link-dest, so a release costs little)
    TARGET/current -> releases/<release>   what the web server serves (its root is TARGET/current)

A publish copies the new release beside the old one, then swaps `current` with one rename(2) of a
new symlink over the old: until that instant every request is answered from the old release, after
it from the new, never from a half-copied folder. `oqu rollback` swaps `current` back to the release
before it. The same shell steps run locally or through ssh, so the tested path is the deployed one.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from builder.command_words import say
from builder.problems import BuildError

RELEASES = "releases"
CURRENT = "current"


class PublishError(BuildError):
    """rsync, ssh or a swap failed; `current` still points at the release it pointed at."""


@dataclass(frozen=True)
class Target:
    path: str
    host: str | None = None

    @classmethod
    def parse(cls, spec: str) -> Target:
        """`/srv/site`, `./site`, `host:/srv/site` or `user@host:/srv/site` (rsync's own syntax)."""
        if not spec:
            raise PublishError(say("cli.publish.no_target"))
        head, sep, tail = spec.partition(":")
        if sep and "/" not in head and head:
            return cls(tail or ".", head)
        return cls(str(Path(spec).absolute()))

    def __str__(self) -> str:
        return f"{self.host}:{self.path}" if self.host else self.path

    def rsync_path(self, relative: str) -> str:
        path = f"{self.path.rstrip('/')}/{relative}"
        return f"{self.host}:{path}" if self.host else path


def no_previous_release(target: object, current: str | None) -> str:
    """The refusal of a rollback with no release before the current one."""
    if current:
        return say("cli.publish.no_previous", target=target, current=current)
    return say("cli.publish.no_previous_at_all", target=target)


def release_name(now: dt.datetime | None = None, revision: str | None = None) -> str:
    """Sorts in time order: 20261207T103000.123456Z-1a2b3c4d (the commit when CI names it)."""
    now = now or dt.datetime.now(dt.UTC)
    revision = revision or os.environ.get("CI_COMMIT_SHORT_SHA") or os.environ.get("GITHUB_SHA", "")[:8]
    stamp = now.strftime("%Y%m%dT%H%M%S.%fZ")
    return f"{stamp}-{revision}" if revision else stamp


def publish(source: Path, target: Target, release: str, keep: int = 5) -> str:
    """Copy `source` as a new release, then swap `current` to it; returns the release's name."""
    upload(source, target, release)
    swap(target, release)
    prune(target, keep)
    return release


def upload(source: Path, target: Target, release: str) -> None:
    """The new release beside the old ones; `current` is not touched."""
    if not (source / "index.html").is_file() and not (source / "manifest.json").is_file():
        raise PublishError(say("cli.publish.not_built", source=source))
    _shell(target, f"mkdir -p {RELEASES}")
    previous = current_release(target)
    # --checksum: a file of the same size written in the same second is still compared by content
    command = ["rsync", "-a", "--delete", "--checksum"]
    if previous:
        command.append(f"--link-dest=../{previous}/")  # relative to the destination folder
    command += [f"{source}/", target.rsync_path(f"{RELEASES}/{release}/")]
    _run(command, say("cli.publish.copying", source=source, target=target))


def swap(target: Target, release: str) -> None:
    """Point `current` at `release` with one atomic rename of a new symlink."""
    new = shlex.quote(f"{CURRENT}.new-{release}")
    _shell(
        target,
        f"test -d {RELEASES}/{shlex.quote(release)}"
        f" && ln -sfn {RELEASES}/{shlex.quote(release)} {new}"
        f" && mv -T {new} {CURRENT}",
    )


def prune(target: Target, keep: int) -> None:
    """Keep the newest `keep` releases (and always the current one)."""
    current = current_release(target)
    for old in releases(target)[:-keep] if keep > 0 else []:
        if old != current:
            _shell(target, f"rm -rf {RELEASES}/{shlex.quote(old)}")


def rollback(target: Target) -> str:
    """Swap `current` back to the release published before it; returns that release's name."""
    current = current_release(target)
    known = releases(target)
    if current not in known or known.index(current) == 0:
        raise PublishError(no_previous_release(target, current))
    previous = known[known.index(current) - 1]
    swap(target, previous)
    return previous


def releases(target: Target) -> list[str]:
    listing = _shell(target, f"ls -1 {RELEASES} 2>/dev/null || true")
    return sorted(name for name in listing.splitlines() if name and not name.startswith("."))


def current_release(target: Target) -> str | None:
    link = _shell(target, f"readlink {CURRENT} 2>/dev/null || true").strip()
    return link.removeprefix(f"{RELEASES}/") or None


def _shell(target: Target, script: str) -> str:
    """Run `script` in the target folder, here or through ssh."""
    if target.host:
        remote = f"mkdir -p {shlex.quote(target.path)} && cd {shlex.quote(target.path)} && {script}"
        ssh = shlex.split(os.environ.get("RSYNC_RSH", "ssh"))
        return _run([*ssh, target.host, remote], say("cli.publish.remote_step", host=target.host))
    Path(target.path).mkdir(parents=True, exist_ok=True)
    return _run(["sh", "-c", script], say("cli.publish.updating", target=target), cwd=target.path)


def _run(command: list[str], doing: str, cwd: str | None = None) -> str:
    if shutil.which(command[0]) is None:
        raise PublishError(say("cli.publish.not_installed", program=command[0], doing=doing))
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PublishError(
            say("cli.publish.failed", doing=doing, output=result.stderr.strip() or result.stdout.strip())
        )
    return result.stdout
