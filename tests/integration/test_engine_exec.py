"""
difos-engine-exec: a host path bound at the same path inside an engine root is
seen by the program there and by no one on the host; refused paths, exit codes
as env(1), and the program is exec'd (it keeps the pid difosd spawned);
with --root / and --bind-to, a host folder covers another for the program alone.

The root here is a tiny one made by the test (busybox and its libraries), so
the tests need no engine root and leave nothing behind.
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import BUILD, run, wait_for

EXEC = BUILD / "difos-engine-exec"


def _copy_with_libs(binary, root):
    """binary and the shared libraries ldd names, at their paths inside root."""
    files = [binary]
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    files += re.findall(r"(/\S+) \(0x", out)
    for f in files:
        dst = root / f.lstrip("/")
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, dst)


@pytest.fixture
def root():
    """A root with busybox as sh, cat, ls, sleep, echo; removed afterwards."""
    if os.geteuid() != 0:
        pytest.fail("integration tests must run as root")
    if not os.access(EXEC, os.X_OK):
        pytest.fail("missing %s (build first, or set DIFOS_BUILD)" % EXEC)
    d = Path(tempfile.mkdtemp(prefix="difos-ee-root-"))
    os.chmod(d, 0o755)
    _copy_with_libs("/bin/busybox", d)
    for name in ("sh", "cat", "ls", "sleep", "echo", "test"):
        os.symlink("busybox", d / "bin" / name)
    (d / "tmp").mkdir(mode=0o1777)
    yield d
    shutil.rmtree(d)


@pytest.fixture
def host_dir():
    d = Path(tempfile.mkdtemp(prefix="difos-ee-host-"))
    yield d
    shutil.rmtree(d)


def ee(*argv, timeout=10):
    return run([EXEC, *argv], timeout=timeout, env=dict(os.environ, PATH="/bin:/usr/bin"))


def host_mounts():
    return Path("/proc/self/mountinfo").read_text()


def test_a_bind_is_seen_inside_at_the_same_path(root, host_dir):
    (host_dir / "pjsip.conf").write_text("[transport-udp]\n")
    cp = ee("--root", root, "--bind", host_dir, "--",
            "sh", "-c", "cat %s/pjsip.conf && echo written >%s/from-inside && ls /" %
            (host_dir, host_dir))
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.startswith("[transport-udp]\n"), cp.stdout
    # the program was inside the root: its / is the root's
    assert "busybox" not in cp.stdout and "bin" in cp.stdout.split()
    # what it wrote is on the host, at the same path
    assert (host_dir / "from-inside").read_text() == "written\n"
    # the mount point was made inside the root, and it is empty there on the host
    point = root / str(host_dir).lstrip("/")
    assert point.is_dir() and list(point.iterdir()) == []


def test_a_bind_is_not_visible_on_the_host(root, host_dir):
    (host_dir / "f").write_text("x")
    p = subprocess.Popen([EXEC, "--root", root, "--bind", host_dir, "--", "sleep", "30"],
                         env={"PATH": "/bin"}, stderr=subprocess.PIPE)
    try:
        point = str(root / str(host_dir).lstrip("/"))
        # the running program's namespace has the bind ...
        wait_for(lambda: point in Path("/proc/%d/mountinfo" % p.pid).read_text() or
                 (" %s " % host_dir) in Path("/proc/%d/mountinfo" % p.pid).read_text(),
                 5, what="the bind in the engine's mount namespace")
        ns = os.readlink("/proc/%d/ns/mnt" % p.pid)
        assert ns != os.readlink("/proc/self/ns/mnt")
        # ... the host has not, and sees the mount point empty
        assert point not in host_mounts()
        assert not (Path(point) / "f").exists()
    finally:
        p.kill()
        p.wait()
    assert point not in host_mounts()


def test_a_file_can_be_bound(root, host_dir):
    f = host_dir / "asterisk.conf"
    f.write_text("[directories]\n")
    cp = ee("--root", root, "--bind", f, "--", "cat", f)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout == "[directories]\n"
    assert (root / str(f).lstrip("/")).read_text() == ""


def test_a_link_in_the_root_is_followed_inside_the_root(root, host_dir):
    # the root's own link (as /var/run -> /run): the mount point is made where
    # the link leads inside the root, never on the host
    outside = Path(str(host_dir) + "-elsewhere")
    (root / str(host_dir.parent).lstrip("/")).mkdir(parents=True, exist_ok=True)
    os.symlink(str(outside), root / str(host_dir).lstrip("/"))
    (root / str(outside).lstrip("/")).mkdir()
    sub = host_dir / "data"
    sub.mkdir()
    (sub / "f").write_text("seen")
    cp = ee("--root", root, "--bind", sub, "--", "cat", "%s/data/f" % outside)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout == "seen"
    assert not outside.exists(), "a mount point was made on the host"
    assert (root / str(outside).lstrip("/") / "data").is_dir()


@pytest.mark.parametrize("path,why", [
    ("/tmp/../etc", '--bind /tmp/../etc: ".." is refused in a bind path'),
    ("tmp/x", "--bind tmp/x: the path must be absolute"),
    ("/", "--bind /: binding the whole host over the root is refused"),
])
def test_refused_bind_paths(root, path, why):
    before = sorted(p.name for p in root.iterdir())
    cp = ee("--root", root, "--bind", path, "--", "echo", "ran")
    assert cp.returncode == 125
    assert cp.stderr.splitlines()[0] == "difos-engine-exec: " + why
    assert "ran" not in cp.stdout
    assert sorted(p.name for p in root.iterdir()) == before


def test_exit_codes_as_env(root, host_dir):
    cp = ee("--root", root, "--", "no-such-program")
    assert cp.returncode == 127
    assert "difos-engine-exec: no-such-program in %s: No such file or directory" % root in cp.stderr
    (root / "bin/not-runnable").write_text("data\n")
    cp = ee("--root", root, "--", "/bin/not-runnable")
    assert cp.returncode == 126
    assert "Permission denied" in cp.stderr
    cp = ee("--root", host_dir / "missing", "--", "true")
    assert cp.returncode == 125
    assert "--root %s: cannot chroot: No such file or directory" % (host_dir / "missing") in cp.stderr
    cp = ee("--root", root, "--bind", host_dir / "missing", "--", "true")
    assert cp.returncode == 125
    assert "--bind %s: No such file or directory" % (host_dir / "missing") in cp.stderr
    # the program's own status passes through
    assert ee("--root", root, "--", "sh", "-c", "exit 7").returncode == 7


def test_the_program_keeps_the_pid(root):
    # exec, not fork: difosd's signals reach the engine itself
    p = subprocess.Popen([EXEC, "--root", root, "--", "sh", "-c", "echo $$"],
                         env={"PATH": "/bin"}, stdout=subprocess.PIPE, text=True)
    out, _ = p.communicate(timeout=10)
    assert int(out) == p.pid


def test_bind_to_a_target_made_inside_the_root(root, host_dir):
    # the root's /var/run is a link to /run, and /run has no wireguard folder:
    # it is made where the link leads, inside the root
    (root / "run").mkdir()
    (root / "var").mkdir()
    os.symlink("/run", root / "var/run")
    (host_dir / "wg0.sock").write_text("x")
    cp = ee("--root", root, "--bind-to", "%s=/var/run/wireguard" % host_dir, "--",
            "sh", "-c", "ls /run/wireguard; echo made >/var/run/wireguard/inside")
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout == "wg0.sock\n"
    assert (host_dir / "inside").read_text() == "made\n"
    assert (root / "run/wireguard").is_dir() and list((root / "run/wireguard").iterdir()) == []
    cp = ee("--root", root, "--bind-to", "%s=/var/../etc" % host_dir, "--", "true")
    assert cp.returncode == 125
    assert '--bind-to %s=/var/../etc: ".." is refused' % host_dir in cp.stderr


def _uapi_get(path):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(3)
    s.connect(str(path))
    s.sendall(b"get=1\n\n")
    got = b""
    while not got.endswith(b"\n\n"):
        chunk = s.recv(65536)
        assert chunk, got
        got += chunk
    s.close()
    return got.decode()


def test_wireguard_go_with_its_socket_folder_of_its_own(tmp_path):
    # two routers' wg0 at once: each wireguard-go in a network namespace of
    # its own, its compiled-in /var/run/wireguard the router's own folder
    if not shutil.which("wireguard-go"):
        pytest.fail("wireguard-go is not installed (scripts/install-deps.sh)")
    runs = [tmp_path / "r1", tmp_path / "r2"]
    procs = []
    before = sorted(os.listdir("/run/wireguard")) if os.path.isdir("/run/wireguard") else []
    try:
        for r in runs:
            (r / "wireguard").mkdir(parents=True)
            procs.append(subprocess.Popen(
                ["unshare", "--net", "--", EXEC, "--root", "/", "--bind-to",
                 "%s/wireguard=/var/run/wireguard" % r, "--", "wireguard-go", "-f", "wg0"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        for r, p in zip(runs, procs):
            sock = r / "wireguard/wg0.sock"
            wait_for(lambda: sock.exists() or p.poll() is not None, 10,
                     what="wireguard-go's socket %s" % sock)
            assert p.poll() is None, p.stderr.read().decode()
            answer = _uapi_get(sock)
            assert re.search(r"^listen_port=\d+$", answer, re.M), answer
            assert answer.endswith("errno=0\n\n"), answer
        # the host's own folder saw none of it, and the program was exec'd
        after = sorted(os.listdir("/run/wireguard")) if os.path.isdir("/run/wireguard") else []
        assert after == before
        for p in procs:
            assert os.readlink("/proc/%d/exe" % p.pid).endswith("/wireguard-go")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    for r in runs:
        assert not (r / "wireguard/wg0.sock").exists()


def test_without_root_the_program_runs_directly(host_dir):
    cp = ee("--", "sh", "-c", "echo $PWD; cat /proc/self/mountinfo | wc -l", timeout=10)
    assert cp.returncode == 0, cp.stderr
    # same mount namespace as ours, same working folder
    assert cp.stdout.splitlines()[0] == os.getcwd()
    cp = ee("--bind", host_dir, "true")
    assert cp.returncode == 125
    assert "--bind %s needs --root" % host_dir in cp.stderr
    t = time.monotonic()
    assert ee("true").returncode == 0
    assert time.monotonic() - t < 2


def test_a_private_run_for_the_program_only(host_dir):
    """--root / --bind-to SRC=/run: the program sees SRC at /run (charon's
    compiled-in /var/run/charon.pid lands in a folder of difosd's); the host
    does not."""
    (host_dir / "marker").write_text("private run\n")
    cp = ee("--root", "/", "--bind-to", "%s=/run" % host_dir, "--", "sh", "-c",
            "cat /run/marker; cat /var/run/marker; echo 4242 > /run/charon.pid")
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout == "private run\nprivate run\n"
    assert (host_dir / "charon.pid").read_text() == "4242\n"
    assert not Path("/run/marker").exists()
    assert str(host_dir) not in host_mounts()
