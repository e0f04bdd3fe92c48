"""`oqu publish` / `oqu rollback` to `user@host:/folder` through a real sshd on loopback.

The test starts its own OpenSSH server (Debian's openssh-server; `make` installs it when root)
on a free port with a host key and a client key made here, and points the publish steps at it
with RSYNC_RSH, as a CI job sets its own ssh options. Skipped when sshd is not installed.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_publish import make_build

from builder.publish import Target, current_release, publish, releases, rollback, upload

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
pytestmark = pytest.mark.skipif(
    not (os.path.exists(SSHD) and shutil.which("ssh") and shutil.which("rsync")),
    reason="needs openssh-server, ssh and rsync",
)


def _free_port() -> int:
    from site_server import free_port

    return int(free_port())


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)


@pytest.fixture
def ssh_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A running sshd accepting this user with a fresh key; yields `user@127.0.0.1`."""
    keys = tmp_path / "keys"
    keys.mkdir()
    _keygen(keys / "host")
    _keygen(keys / "client")
    shutil.copy(keys / "client.pub", keys / "authorized_keys")
    port = _free_port()
    config = tmp_path / "sshd_config"
    config.write_text(
        "\n".join(
            [
                "ListenAddress 127.0.0.1",
                f"Port {port}",
                f"HostKey {keys / 'host'}",
                f"AuthorizedKeysFile {keys / 'authorized_keys'}",
                f"PidFile {tmp_path / 'sshd.pid'}",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "StrictModes no",
                "UsePAM no",
                "LogLevel ERROR",
                "",
            ]
        ),
        encoding="utf-8",
    )
    Path("/run/sshd").mkdir(parents=True, exist_ok=True)  # sshd's privilege separation folder
    server = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE)
    try:
        _wait_for_banner(port, server)
        options = (
            f"ssh -p {port} -i {keys / 'client'} -o BatchMode=yes -o IdentitiesOnly=yes"
            f" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
        )
        monkeypatch.setenv("RSYNC_RSH", options)
        yield f"{getpass.getuser()}@127.0.0.1"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for_banner(port: int, server: subprocess.Popen[bytes]) -> None:
    """Until sshd answers with its banner (an event, not a sleep); its error if it exits."""
    while server.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                connection.settimeout(5)
                if connection.recv(64).startswith(b"SSH-2.0-"):
                    return
        except OSError:
            continue
    raise RuntimeError(f"sshd exited: {server.stderr.read().decode() if server.stderr else ''}")


def test_publish_and_rollback_over_ssh(tmp_path: Path, ssh_target: str) -> None:
    www = tmp_path / "remote" / "www"
    target = Target.parse(f"{ssh_target}:{www}")
    assert target.host == ssh_target
    publish(make_build(tmp_path / "b1", "бірінші") / "site", target, "r1")
    assert (www / "current/index.html").read_text(encoding="utf-8") == "бірінші"
    upload(make_build(tmp_path / "b2", "екінші") / "site", target, "r2")
    # copied beside the current release, which still answers until the swap
    assert (www / "current/index.html").read_text(encoding="utf-8") == "бірінші"
    assert current_release(target) == "r1"
    publish(make_build(tmp_path / "b2", "екінші") / "site", target, "r2")
    assert os.readlink(www / "current") == "releases/r2"
    assert (www / "current/index.html").read_text(encoding="utf-8") == "екінші"
    # an unchanged file is hard-linked to the previous release over ssh too (--link-dest)
    css = [www / f"releases/{r}/kk/theme.css" for r in ("r1", "r2")]
    assert css[0].stat().st_ino == css[1].stat().st_ino
    assert releases(target) == ["r1", "r2"]
    assert rollback(target) == "r1"
    assert (www / "current/index.html").read_text(encoding="utf-8") == "бірінші"


def test_a_refused_key_publishes_nothing(
    tmp_path: Path, ssh_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from builder.publish import PublishError

    www = tmp_path / "remote" / "www"
    target = Target.parse(f"{ssh_target}:{www}")
    publish(make_build(tmp_path / "b1", "old") / "site", target, "r1")
    stranger = tmp_path / "stranger"
    _keygen(stranger)
    monkeypatch.setenv(
        "RSYNC_RSH", os.environ["RSYNC_RSH"].replace(str(tmp_path / "keys" / "client"), str(stranger))
    )
    with pytest.raises(PublishError, match="сәтсіз аяқталды"):
        publish(make_build(tmp_path / "b2", "new") / "site", target, "r2")
    assert os.readlink(www / "current") == "releases/r1"
    assert not (www / "releases/r2").exists()
