"""
The AMI client (src/features/pbx/asterisk/ami_client.c) against a real
Asterisk 22 from the engine root (scripts/pbx-rootfs.sh builds it): a
namespace of the test's own with only its loopback up, Asterisk chrooted in
a private mount namespace with an instance folder bound at the same path,
and tests/unit/ami_probe (the C client) logging in from the same namespace.

Checked: the login, Ping, Command "core show uptime" and PJSIPShowEndpoints
sent at once and each answered to its own callback, the endpoint list
whole; the reconnect when Asterisk is restarted under a connected client;
a refused secret. Skipped without the engine root (failed under CI=true).
"""

import itertools
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import pbx_lab

from conftest import BUILD, ns_exec, run

PROBE = BUILD / "tests/unit/ami_probe"
AMI_PORT = 5038

_counter = itertools.count(1)

MODULES = """[modules]
autoload = no
load => res_timing_timerfd.so
load => res_sorcery_config.so
load => res_sorcery_memory.so
load => res_sorcery_astdb.so
load => res_rtp_asterisk.so
load => res_geolocation.so
load => res_statsd.so
load => res_pjproject.so
load => res_pjsip.so
load => res_pjsip_session.so
load => chan_pjsip.so
load => res_pjsip_authenticator_digest.so
load => res_pjsip_endpoint_identifier_user.so
load => res_pjsip_registrar.so
load => res_pjsip_sdp_rtp.so
load => res_pjsip_pubsub.so
load => pbx_config.so
load => codec_ulaw.so
"""

PJSIP = """[transport-udp]
type = transport
protocol = udp
bind = 127.0.0.1:5060

[100]
type = endpoint
context = internal
disallow = all
allow = ulaw
auth = 100-auth
aors = 100
[100-auth]
type = auth
auth_type = userpass
username = 100
password = secret100
[100]
type = aor
max_contacts = 1

[101]
type = endpoint
context = internal
disallow = all
allow = ulaw
auth = 101-auth
aors = 101
[101-auth]
type = auth
auth_type = userpass
username = 101
password = secret101
[101]
type = aor
max_contacts = 1
"""




def _asterisk_ids(root):
    for line in (root / "etc/passwd").read_text().splitlines():
        f = line.split(":")
        if f[0] == "asterisk":
            return int(f[2]), int(f[3])
    raise AssertionError("no asterisk user in %s/etc/passwd" % root)


class Pbx:
    """One Asterisk in a namespace of its own; AMI on 127.0.0.1 there."""

    def __init__(self, root):
        self.root = root
        self.ns = "dfami%d-%d" % (os.getpid(), next(_counter))
        self.secret = secrets.token_hex(12)
        # under /tmp: bound into the root's own /tmp (a tmpfs of the mount
        # namespace) at the same path, so the engine root is never written
        self.dir = Path(tempfile.mkdtemp(prefix="difos-ami-", dir="/tmp"))
        self.proc = None
        run(["ip", "netns", "add", self.ns], check=True)
        ns_exec(self.ns, "ip", "link", "set", "lo", "up", check=True)
        d = self.dir
        for sub in ("etc", "run", "log", "lib", "spool", "cache"):
            (d / sub).mkdir()
        conf = {
            "asterisk.conf": "[directories]\nastetcdir => %s/etc\n"
                             "astmoddir => /usr/lib/x86_64-linux-gnu/asterisk/modules\n"
                             "astvarlibdir => /var/lib/asterisk\nastdbdir => %s/lib\n"
                             "astdatadir => /usr/share/asterisk\nastspooldir => %s/spool\n"
                             "astrundir => %s/run\nastlogdir => %s/log\n"
                             "astcachedir => %s/cache\n"
                             "[options]\nverbose = 3\nnocolor = yes\n" % (d, d, d, d, d, d),
            "modules.conf": MODULES,
            "manager.conf": "[general]\nenabled = yes\nport = %d\nbindaddr = 127.0.0.1\n\n"
                            "[difos]\nsecret = %s\ndeny = 0.0.0.0/0.0.0.0\n"
                            "permit = 127.0.0.0/255.0.0.0\nread = all\nwrite = all\n"
                            % (AMI_PORT, self.secret),
            "logger.conf": "[general]\n[logfiles]\nmessages.log => notice,warning,error\n",
            "pjsip.conf": PJSIP,
            "extensions.conf": "[general]\nstatic = yes\n[internal]\n",
            "rtp.conf": "[general]\nrtpstart = 10000\nrtpend = 10099\nicesupport = no\n",
            "cdr.conf": "[general]\nenable = no\n",
            "indications.conf": (root / "usr/share/asterisk/conf/samples/"
                                 "indications.conf.sample").read_text(),
            "acl.conf": "", "geolocation.conf": "",
        }
        for stub in ("features.conf", "cel.conf", "udptl.conf", "pjproject.conf",
                     "ccss.conf", "statsd.conf"):
            conf[stub] = "[general]\n"
        for name, text in conf.items():
            (d / "etc" / name).write_text(text)
        uid, gid = _asterisk_ids(root)
        for p in [d, *d.rglob("*")]:
            os.chown(p, uid, gid)
        os.chmod(d, 0o755)

    def start(self):
        r, d = self.root, self.dir
        script = ('mount -t tmpfs -o mode=1777 tmpfs "$1/tmp" && mkdir -p "$1$2" && '
                  'mount --bind "$2" "$1$2" && exec chroot "$1" /usr/sbin/asterisk -f -n '
                  '-U asterisk -G asterisk -C "$2/etc/asterisk.conf"')
        self.log = open(d / "console.log", "ab")
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, "unshare", "-m", "--propagation", "private",
             "sh", "-c", script, "sh", str(r), str(d)],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            start_new_session=True)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        if getattr(self, "log", None):
            self.log.close()

    def log_tail(self):
        out = []
        for f in (self.dir / "console.log", self.dir / "log/messages.log"):
            if f.exists():
                out.append("--- %s ---\n%s" % (f.name, "\n".join(
                    f.read_text(errors="replace").splitlines()[-30:])))
        return "\n".join(out)

    def probe(self, secret=None, rounds=1, wait=20):
        """ami_probe in the namespace, started; its stdout gives JSON lines."""
        env = dict(os.environ, AMI_SECRET=secret or self.secret)
        return subprocess.Popen(
            ["ip", "netns", "exec", self.ns, str(PROBE), str(AMI_PORT), "difos",
             str(rounds), str(wait)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, text=True, start_new_session=True)

    def close(self):
        self.stop()
        for pid in run(["ip", "netns", "pids", self.ns], timeout=5).stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        run(["ip", "netns", "del", self.ns])
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def pbx():
    root = pbx_lab.engine_root()
    if not os.access(PROBE, os.X_OK):
        pytest.fail("missing %s (build first, or set DIFOS_BUILD)" % PROBE)
    p = Pbx(root)
    try:
        p.start()
        yield p
    finally:
        p.close()


def _lines_until(proc, pred, timeout, pbx):
    """JSON lines of proc until one satisfies pred; all of them."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(json.loads(line))
        if pred(seen[-1]):
            return seen
    proc.kill()
    raise AssertionError("no such line in %s\nprobe stderr: %s\n%s" %
                         (seen, proc.stderr.read(), pbx.log_tail()))


def _check_round(r):
    assert r["ping"]["response"]["Response"] == "Success", r
    assert r["ping"]["response"]["Ping"] == "Pong", r
    up = r["uptime"]["response"]
    assert up["Response"] == "Success", r
    out = up["Output"] if isinstance(up["Output"], list) else [up["Output"]]
    assert any(o.startswith("System uptime:") for o in out), out
    ep = r["endpoints"]
    assert ep["response"]["EventList"] == "start", ep
    names = sorted(i["ObjectName"] for i in ep["items"])
    assert names == ["100", "101"], ep
    assert all(i["Event"] == "EndpointList" for i in ep["items"]), ep
    assert ep["complete"]["Event"] == "EndpointListComplete", ep
    assert ep["complete"]["ListItems"] == "2", ep


def test_ami_actions_and_reconnect(pbx):
    t = time.monotonic()
    probe = pbx.probe(rounds=2, wait=60)
    try:
        first = _lines_until(probe, lambda o: o.get("round") == 1, 30, pbx)
        up = [o for o in first if o.get("state") == "up"]
        assert up and "AMI " in up[0]["why"], first
        _check_round(first[-1])
        print("login and first round: %.2f s (the three actions: %d ms)" %
              (time.monotonic() - t, first[-1]["ms"]))

        # Asterisk restarts under the connected client
        pbx.stop()
        t = time.monotonic()
        pbx.start()
        second = _lines_until(probe, lambda o: o.get("round") == 2, 40, pbx)
        downs = [o for o in second if o.get("state") == "down"]
        assert downs and downs[0]["why"] == "Asterisk closed the connection", second
        assert any(o.get("state") == "up" for o in second), second
        _check_round(second[-1])
        print("back after the restart: %.2f s" % (time.monotonic() - t))
        assert probe.wait(timeout=10) == 0, probe.stderr.read()
    finally:
        if probe.poll() is None:
            probe.kill()
        probe.wait(timeout=5)


def test_ami_refused_secret(pbx):
    probe = pbx.probe(secret="not-the-secret", wait=3)
    out, err = probe.communicate(timeout=30)
    assert probe.returncode == 1, (out, err)
    lines = [json.loads(x) for x in out.splitlines()]
    status = [o["status"] for o in lines if "status" in o]
    assert status, lines
    assert status[0]["state"] != "connected", status
    assert "login as 'difos' refused: Authentication failed" in status[0]["error"], status
    assert "not-the-secret" not in out + err
    assert not any(o.get("state") == "up" for o in lines), lines
