"""
scripts/pbx-rootfs.sh: the PBX engine root is built once, in a temporary
folder renamed into place only when complete, and a second run with the same
package list does nothing.

The build itself is replaced by a stand-in mmdebstrap (first in PATH) that
writes part of a tree and fails, as an interrupted or offline build would;
the real cached root is only read.
"""

import os
import time
from pathlib import Path

import pytest

from conftest import run

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts/pbx-rootfs.sh"
CACHED_ROOT = Path(os.environ.get("DIFOS_PBX_ROOT", "/var/cache/difos/pbx-root"))
STAMP = "difos-pbx-root.stamp"

FAKE_MMDEBSTRAP = """#!/bin/sh
# a build that dies half way: some of the tree, then an error
# the target is the argument before the last (the mirror)
for a in "$@"; do target=$prev; prev=$a; done
echo "$@" >>"$FAKE_LOG"
mkdir -p "$target/usr/sbin" && : >"$target/usr/sbin/asterisk"
echo "E: download failed" >&2
exit 1
"""


@pytest.fixture
def fake(tmp_path):
    """A PATH whose mmdebstrap fails half way, and its call log."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "mmdebstrap").write_text(FAKE_MMDEBSTRAP)
    (bindir / "mmdebstrap").chmod(0o755)
    env = dict(os.environ, PATH="%s:%s" % (bindir, os.environ["PATH"]),
               FAKE_LOG=str(tmp_path / "calls.log"))
    return env, tmp_path / "calls.log"


def test_second_run_with_the_same_packages_does_nothing():
    if not (CACHED_ROOT / STAMP).is_file():
        pytest.fail("no PBX engine root at %s (run scripts/pbx-rootfs.sh)" % CACHED_ROOT)
    before = (CACHED_ROOT / STAMP).stat().st_mtime_ns
    t = time.monotonic()
    cp = run([SCRIPT], env=dict(os.environ, DIFOS_PBX_ROOT=str(CACHED_ROOT)), timeout=30)
    took = time.monotonic() - t
    assert cp.returncode == 0, cp.stderr
    assert "up to date" in cp.stdout and "asterisk: 1:22." in cp.stdout, cp.stdout
    assert took < 1.0, "a run with the tree in place took %.2f s" % took
    assert (CACHED_ROOT / STAMP).stat().st_mtime_ns == before
    # the stamp names what is inside
    stamp = (CACHED_ROOT / STAMP).read_text()
    assert "packages: asterisk asterisk-core-sounds-en-gsm libnss-myhostname sip-tester" in stamp
    assert (CACHED_ROOT / "usr/sbin/asterisk").is_file()
    assert (CACHED_ROOT / "etc/resolv.conf").read_text() == ""
    # the host name resolves without asking a DNS server
    assert "hosts:          files myhostname dns" in (CACHED_ROOT / "etc/nsswitch.conf").read_text()


def test_an_interrupted_build_leaves_no_tree_that_looks_finished(tmp_path, fake):
    env, calls = fake
    root = tmp_path / "cache/pbx-root"
    cp = run([SCRIPT], env=dict(env, DIFOS_PBX_ROOT=str(root)), timeout=30)
    assert cp.returncode == 1
    assert "pbx-rootfs: mmdebstrap failed for sid at http" in cp.stderr, cp.stderr
    log = calls.read_text()
    assert log.count("\n") == 1
    # the stand-in wrote its half tree into the temporary folder beside the root
    target = Path(log.split()[-2])
    assert target.parent == root.parent and target.name.startswith(".pbx-root.build."), log
    # neither the final folder nor the half-built one remains
    assert not root.exists()
    assert [p.name for p in root.parent.iterdir()] == [".pbx-root.lock"]


def test_a_temporary_tree_left_by_a_killed_run_is_removed(tmp_path, fake):
    env, _ = fake
    root = tmp_path / "pbx-root"
    left = tmp_path / ".pbx-root.build.a1b2c3"
    (left / "usr/sbin").mkdir(parents=True)
    cp = run([SCRIPT], env=dict(env, DIFOS_PBX_ROOT=str(root)), timeout=30)
    assert cp.returncode == 1
    assert not left.exists()
    assert not root.exists()


def test_another_package_list_rebuilds_and_keeps_the_old_tree_until_done(tmp_path, fake):
    env, calls = fake
    root = tmp_path / "pbx-root"
    root.mkdir()
    (root / STAMP).write_text("packages: asterisk\nasterisk: 1:22.0\n")
    (root / "old-tree").write_text("still here")
    cp = run([SCRIPT], env=dict(env, DIFOS_PBX_ROOT=str(root)), timeout=30)
    # the stamp did not match, so a build was tried ...
    assert cp.returncode == 1
    assert "asterisk,asterisk-core-sounds-en-gsm,sip-tester" in calls.read_text()
    # ... and its failure left the old tree as it was
    assert (root / "old-tree").read_text() == "still here"
    assert (root / STAMP).read_text().startswith("packages: asterisk\n")
    assert not (root / "usr").exists()
