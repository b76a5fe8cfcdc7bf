"""
The Debian package (make deb): built from the tree (scripts/deb.sh, cached
by the tree's hash), installed with apt into a fresh Debian 12 tree
(scripts/deb-tree.sh, cached by day) so its Depends come from the mirror,
then checked there: the files where difosd looks for them, the difos-web
user, the systemd unit, the installed difosd started in namespaces of its
own (difosd-web, its child, serving the GUI), and remove and purge.

The only outside traffic is apt's package downloads from the host's mirror.
"""

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARCHIVES = Path("/var/cache/difos/bookworm-apt-archives")

# what difosd looks for (src/daemon/main.c: its helpers in /usr/libexec/difos
# when they are not beside it, the GUI in /usr/share/difos/gui, the data in
# /usr/share/difos)
INSTALLED = [
    "usr/sbin/difosd",
    "usr/bin/difosctl",
    "usr/libexec/difos/difosd-web",
    "usr/libexec/difos/difos-engine-exec",
    "usr/libexec/difos/difos-dhcp-event",
    "usr/libexec/difos/difos-dhcp6-event",
    "usr/libexec/difos/difos-ppp-up",
    "usr/libexec/difos/difos-ppp-down",
    "usr/libexec/difos/difos-relay6",
    "usr/libexec/difos/difos-ra6",
    "usr/libexec/difos/difos-ips-reader",
    "usr/libexec/difos/pbx-rootfs",
]
# the engines of a default configuration: the package's Depends
ENGINES = ["nftables", "dnsmasq-base", "busybox", "iproute2", "openssl", "isc-dhcp-client",
           "libwebsockets-evlib-uv", "cracklib-runtime"]


def sh(argv, timeout=60, env=None):
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True,
                          timeout=timeout, env=env)


def meson_version():
    m = re.search(r"version\s*:\s*'([^']+)'", (REPO / "meson.build").read_text())
    return m.group(1)


# The tree's own /proc and /dev, apt's download cache shared between runs,
# and the host's resolver, in a mount namespace of the command's own: none of
# it outlives the command. extra: more unshare options (a network namespace).
IN_TREE = r'''
set -e
T=$1; shift
mount -t proc proc "$T/proc"
mount --rbind /dev "$T/dev"
mount --bind "$ARCHIVES" "$T/var/cache/apt/archives"
cp /etc/resolv.conf "$T/etc/resolv.conf"
if [ -n "${PROTECT:-}" ]; then
	# the unit's ProtectSystem=true, ProtectHome=yes, PrivateTmp=yes
	mount --bind "$T/usr" "$T/usr"
	mount -o remount,bind,ro "$T/usr"
	for d in home root tmp; do mount -t tmpfs -o mode=0755 tmpfs "$T/$d"; done
	chmod 1777 "$T/tmp"
fi
exec chroot "$T" "$@"
'''


def in_tree(tree, argv, timeout=120, extra=(), protect=False):
    env = dict(os.environ, ARCHIVES=str(ARCHIVES), DEBIAN_FRONTEND="noninteractive",
               PATH="/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL="C", PROTECT="1" if protect else "")
    return sh(["unshare", "--mount", "--propagation", "private", *extra,
               "sh", "-c", IN_TREE, "sh", tree, *argv], timeout=timeout, env=env)


def ok(cp):
    assert cp.returncode == 0, "rc %d\nstdout:\n%s\nstderr:\n%s" % (
        cp.returncode, cp.stdout[-3000:], cp.stderr[-3000:])
    return cp.stdout


@pytest.fixture(scope="module")
def deb():
    if not (REPO / "gui/dist/index.html").exists():
        pytest.fail("gui/dist is missing: make gui first (make check does)")
    start = time.monotonic()
    out = ok(sh([REPO / "scripts/deb.sh"], timeout=1800))
    print("deb: %.0f s: %s" % (time.monotonic() - start, out.strip()))
    debs = sorted((REPO / "build-deb").glob("difos_%s_*.deb" % meson_version()))
    assert len(debs) == 1, debs
    return debs[0]


@pytest.fixture(scope="module")
def tree(deb, tmp_path_factory):
    start = time.monotonic()
    base = ok(sh([REPO / "scripts/deb-tree.sh"], timeout=900)).strip().splitlines()[-1]
    made = time.monotonic()
    t = tmp_path_factory.mktemp("deb") / "tree"
    ok(sh(["cp", "-a", "--reflink=auto", base, t], timeout=300))
    ARCHIVES.mkdir(parents=True, exist_ok=True)
    shutil.copy(deb, t / "tmp/difos.deb")
    # apt, not dpkg: the Depends are fetched from the mirror
    ok(in_tree(t, ["apt-get", "install", "-y", "-q", "-o", "Acquire::Check-Valid-Until=false",
                   "/tmp/difos.deb"], timeout=900))
    print("tree %.0f s, copy and install %.0f s" % (made - start, time.monotonic() - made))
    yield t
    shutil.rmtree(t.parent, ignore_errors=True)


def test_changelog_version_is_the_tree_version():
    cp = ok(sh(["dpkg-parsechangelog", "-l", REPO / "debian/changelog", "-S", "Version"]))
    assert cp.strip() == meson_version()


def test_files_are_where_difosd_looks_for_them(tree):
    for f in INSTALLED:
        p = tree / f
        assert p.is_file() and os.access(p, os.X_OK), f
    assert (tree / "usr/share/difos/gui/index.html").is_file()
    assert (tree / "usr/share/difos/gui/index.html.gz").is_file()
    assert sorted((tree / "usr/share/difos/domain-lists").iterdir())
    assert (tree / "lib/systemd/system/difosd.service").is_file()
    assert 'DIFOSD_ARGS=""' in (tree / "etc/default/difosd").read_text()
    # state, logs and certificates, made by the postinst
    assert (tree / "var/lib/difos").is_dir()
    assert (tree / "etc/difos").is_dir()
    assert oct((tree / "var/log/difos").stat().st_mode & 0o777) == "0o750"
    # the engines of the Depends came with it
    out = ok(in_tree(tree, ["dpkg-query", "-W", "-f", "${Package} ${db:Status-Status}\\n",
                            *ENGINES]))
    assert sorted(out.split("\n")[:-1]) == sorted("%s installed" % e for e in ENGINES)


def test_nothing_under_usr_local(tree):
    files = ok(in_tree(tree, ["dpkg", "-L", "difos"])).split()
    assert "/usr/sbin/difosd" in files
    assert [f for f in files if f.startswith("/usr/local")] == []


def test_the_web_user_is_a_system_user(tree):
    out = ok(in_tree(tree, ["getent", "passwd", "difos-web"])).strip()
    name, _, uid, gid, _, home, shell = out.split(":")
    assert int(uid) < 1000 and home == "/nonexistent" and shell == "/usr/sbin/nologin", out
    assert ok(in_tree(tree, ["id", "-gn", "difos-web"])).strip() == "difos-web"


def test_the_unit_verifies(tree):
    unit = tree / "lib/systemd/system/difosd.service"
    # --man=no: its Documentation= man page is looked up by the host's man;
    # the page is checked in the tree instead
    cp = sh(["systemd-analyze", "verify", "--man=no", "--root", tree, "difosd.service"],
            timeout=60)
    assert cp.returncode == 0 and "difosd" not in cp.stderr, cp.stderr
    assert (tree / "usr/share/man/man8/difosd.8.gz").is_file()
    assert (tree / "usr/share/man/man1/difosctl.1.gz").is_file()
    text = unit.read_text()
    assert "ExecStart=/usr/sbin/difosd $DIFOSD_ARGS" in text
    # what difosd does as root stays possible: /etc and /proc/sys written,
    # its own network namespace, mount namespaces for difos-engine-exec
    for forbidden in ("ProtectSystem=full", "ProtectSystem=strict", "PrivateNetwork=",
                      "ProtectKernelTunables=", "ProtectHostname=", "RestrictNamespaces="):
        assert forbidden not in text
    # installing enables nothing: difosd takes over the network when started
    assert not list((tree / "etc/systemd/system").glob("*/difosd.service"))


def test_difosd_version_runs_in_the_tree(tree):
    out = ok(in_tree(tree, ["/usr/sbin/difosd", "--version"]))
    assert out == "difosd %s\n" % meson_version()


# The installed difosd, started in the tree in network and PID namespaces of
# its own, under the file-system protections of its unit: it finds
# difosd-web in /usr/libexec/difos, which drops to difos-web and serves the
# installed GUI.
RUN_DIFOSD = r'''
touch /usr/difos-test 2>/dev/null || echo "usr read-only"
ip link set lo up
/usr/sbin/difosd >/var/log/difos/test.log 2>&1 &
difosctl wait --timeout 60 || { cat /var/log/difos/test.log; exit 1; }
for i in $(seq 100); do
	for p in /proc/[0-9]*; do
		[ "$(cat $p/comm 2>/dev/null)" = difosd-web ] || continue
		echo "exe $(readlink $p/exe)"
		echo "uid $(awk '/^Uid:/ { print $2 }' $p/status)"
		code=$(curl -sk -o /tmp/index.html -w '%{http_code}' https://127.0.0.1/ || true)
		[ "$code" = 200 ] || continue
		echo "https $code"
		cmp /tmp/index.html /usr/share/difos/gui/index.html && echo "gui installed"
		exit 0
	done
	sleep 0.2
done
cat /var/log/difos/test.log
exit 1
'''


def test_installed_difosd_starts_its_web_door_with_the_gui(tree):
    unit = (tree / "lib/systemd/system/difosd.service").read_text()
    for option in ("ProtectSystem=true", "ProtectHome=yes", "PrivateTmp=yes"):
        assert option in unit
    cp = in_tree(tree, ["sh", "-c", RUN_DIFOSD], timeout=120,
                 extra=("--net", "--pid", "--fork"), protect=True)
    out = ok(cp)
    uid = ok(in_tree(tree, ["id", "-u", "difos-web"])).strip()
    assert "usr read-only\n" in out, out
    assert "exe /usr/libexec/difos/difosd-web\n" in out, out
    assert "uid %s\n" % uid in out, out
    assert "https 200\n" in out and "gui installed\n" in out, out


# deb-systemd-invoke as on a machine where systemd runs: it records what it is asked
INVOKE_STUB = """#!/bin/sh
echo "$*" >>/tmp/invoked
"""


def test_remove_stops_difosd_keeps_the_state_and_purge_leaves_nothing(tree):
    (tree / "var/lib/difos/marker").write_text("state\n")
    (tree / "run/systemd/system").mkdir(parents=True)
    stub = tree / "usr/local/sbin/deb-systemd-invoke"
    stub.write_text(INVOKE_STUB)
    stub.chmod(0o755)
    # apt gives the maintainer scripts its own PATH (DPkg::Path)
    ok(in_tree(tree, ["apt-get", "-o", "DPkg::Path=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
                      "remove", "-y", "-q", "difos"]))
    stub.unlink()
    shutil.rmtree(tree / "run/systemd")
    assert (tree / "tmp/invoked").read_text() == "stop difosd.service\n"
    assert not (tree / "usr/sbin/difosd").exists()
    assert not (tree / "usr/libexec/difos").exists()
    assert (tree / "var/lib/difos/marker").exists()
    assert (tree / "etc/default/difosd").exists()
    ok(in_tree(tree, ["apt-get", "purge", "-y", "-q", "difos"]))
    for d in ("var/lib/difos", "var/log/difos", "etc/difos", "etc/default/difosd",
              "usr/share/difos", "run/difos", "lib/systemd/system/difosd.service"):
        assert not (tree / d).exists(), d
    # dpkg forgets it entirely
    cp = in_tree(tree, ["dpkg-query", "-W", "-f", "${db:Status-Status}", "difos"])
    assert cp.returncode == 1 and "no packages found matching difos" in cp.stderr, cp
