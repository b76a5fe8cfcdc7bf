"""
SIP test lab for the PBX tests (helpers, no tests).

Two network namespaces made by the lab, joined by a veth pair:

    pbx ns  10.201.0.1/24  eth0 <-- veth --> eth0  10.201.0.2/24  peer ns
            Asterisk (engine root)                 sipp endpoints
            AMI on 127.0.0.1                       tcpdump

Asterisk runs standalone, from the engine root (scripts/pbx-rootfs.sh)
entered through difos-engine-exec, with an instance folder of config files
given as a dict, so a test needs no difosd. The test process talks AMI from
inside the pbx namespace (a socket made there, see webclient.ns_connect).
No traffic leaves the namespaces.

    with pbx_lab() as lab:
        ast = lab.start_asterisk({"pjsip.conf": ..., "extensions.conf": ...})
        r = lab.register("100", "secret", port=5061)
        assert r.ok, r.describe()
"""

import contextlib
import csv
import itertools
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import BUILD, ns_exec, run, wait_for
from webclient import ns_connect

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE / "pbx"
ENGINE_EXEC = BUILD / "difos-engine-exec"
ENGINE_ROOT = Path(os.environ.get("DIFOS_PBX_ROOT", "/var/cache/difos/pbx-root"))
ROOT_STAMP = "difos-pbx-root.stamp"
SIPP = "/usr/bin/sipp"
PCAP = "/usr/share/sip-tester/g711a.pcap"

PBX_ADDR = "10.201.0.1"
PEER_ADDR = "10.201.0.2"
AMI_PORT = 5038

# Every lab's folder (its Asterisk instances, sipp's files) lives below this
# one, bound into the engine root as a whole at the same path: the shared
# root gets one mount point, made once, however many labs run.
INSTANCES = Path("/tmp/difos-pbx-lab")

_counter = itertools.count(1)

# Modules for a clean boot with PJSIP, the dialplan, G.711 and CSV CDRs
# (res_pjsip needs res_geolocation and res_statsd loaded).
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
load => res_pjsip_outbound_authenticator_digest.so
load => res_pjsip_endpoint_identifier_user.so
load => res_pjsip_endpoint_identifier_ip.so
load => res_pjsip_registrar.so
load => res_pjsip_outbound_registration.so
load => res_pjsip_sdp_rtp.so
load => res_pjsip_caller_id.so
load => res_pjsip_dtmf_info.so
load => res_pjsip_nat.so
load => res_pjsip_rfc3326.so
load => res_pjsip_pubsub.so
load => res_pjsip_acl.so
load => codec_ulaw.so
load => codec_alaw.so
load => codec_gsm.so
load => format_gsm.so
load => format_wav.so
load => format_pcm.so
load => pbx_config.so
load => app_dial.so
load => app_playback.so
load => app_echo.so
load => app_userevent.so
load => func_callerid.so
load => func_cdr.so
load => bridge_simple.so
load => bridge_native_rtp.so
load => bridge_builtin_features.so
load => cdr_csv.so
load => cdr_manager.so
"""

# empty [general] sections: the modules that read them then log no error
_STUBS = ("features.conf", "cel.conf", "udptl.conf", "pjproject.conf", "ccss.conf",
          "statsd.conf")


def engine_root():
    """The engine root; a test that needs it fails without it (make check
    builds it first: a PBX test is never skipped)."""
    if (ENGINE_ROOT / ROOT_STAMP).is_file() and (ENGINE_ROOT / "usr/sbin/asterisk").exists():
        return ENGINE_ROOT
    pytest.fail("no PBX engine root at %s (build it with scripts/pbx-rootfs.sh)" % ENGINE_ROOT)


def _asterisk_ids(root):
    """uid and gid of the asterisk user of the root (its own passwd)."""
    for line in (root / "etc/passwd").read_text().splitlines():
        f = line.split(":")
        if f[0] == "asterisk":
            return int(f[2]), int(f[3])
    raise AssertionError("no asterisk user in %s/etc/passwd" % root)


# --------------------------------------------------------------------------
# AMI


class AmiError(AssertionError):
    pass


class Ami:
    """A minimal AMI client: messages are read from its own buffer with a
    deadline (a file reader would be dead after its first timeout); events
    received while waiting for a response are kept in self.events."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.events = []
        self.banner = self._line(10)
        self._ids = itertools.count(1)

    @classmethod
    def connect(cls, ns, host="127.0.0.1", port=AMI_PORT, timeout=5):
        return cls(ns_connect(ns, host, port, timeout=timeout))

    def close(self):
        with contextlib.suppress(OSError):
            self.sock.close()

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise AmiError("AMI: timed out (have %r)" % self.buf[-200:])
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise AmiError("AMI: timed out (have %r)" % self.buf[-200:]) from None
        if not data:
            raise AmiError("AMI: connection closed")
        self.buf += data

    def _line(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\r\n" not in self.buf:
            self._fill(deadline)
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line.decode(errors="replace")

    def read_message(self, timeout=5):
        """The next message as a dict; the Output lines of a Command are in
        "Outputs" as a list."""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self.buf:
            self._fill(deadline)
        raw, _, self.buf = self.buf.partition(b"\r\n\r\n")
        msg, outputs = {}, []
        for line in raw.decode(errors="replace").split("\r\n"):
            k, sep, v = line.partition(":")
            if not sep:
                continue
            v = v[1:] if v.startswith(" ") else v
            if k == "Output":
                outputs.append(v)
            msg[k] = v
        if outputs:
            msg["Outputs"] = outputs
        return msg

    def action(self, name, timeout=5, **fields):
        """Sends an action; returns its response (events that come before it
        are kept in self.events)."""
        aid = "difos-%d" % next(self._ids)
        lines = ["Action: " + name, "ActionID: " + aid]
        lines += ["%s: %s" % (k, v) for k, v in fields.items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        deadline = time.monotonic() + timeout
        while True:
            m = self.read_message(max(0.01, deadline - time.monotonic()))
            if m.get("ActionID") == aid and "Response" in m:
                return m
            if "Event" in m:
                self.events.append(m)

    def login(self, user, secret, events=True):
        r = self.action("Login", Username=user, Secret=secret, Events="on" if events else "off")
        if r.get("Response") != "Success":
            raise AmiError("AMI login refused: %r" % r)
        return r

    def command(self, cmd, timeout=5):
        """The CLI output lines of an AMI Command."""
        r = self.action("Command", timeout=timeout, Command=cmd)
        if r.get("Response") != "Success":
            raise AmiError("AMI command %r: %r" % (cmd, r))
        return r.get("Outputs", [])

    def wait_event(self, pred, timeout=5):
        """The first event (kept or new) for which pred(event) holds."""
        for i, e in enumerate(self.events):
            if pred(e):
                return self.events.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            m = self.read_message(max(0.01, deadline - time.monotonic()))
            if "Event" not in m:
                continue
            if pred(m):
                return m
            self.events.append(m)


# --------------------------------------------------------------------------
# Asterisk


class Asterisk:
    """One standalone Asterisk in namespace ns, with its own instance folder
    (etc, run, log, lib, spool, cache) in the lab's folder, which the engine
    root sees at the same path."""

    def __init__(self, lab, files, name, ns):
        self.lab = lab
        self.ns = ns
        self.name = name
        self.root = engine_root()
        self.dir = lab.tmp / ("asterisk-" + name)
        self.etc = self.dir / "etc"
        self.log = self.dir / "log"
        self.ami_user = "difos"
        self.ami_secret = secrets.token_hex(12)
        self.proc = None
        self.ami = None
        self.booted_in = None
        self._write(files)

    def _write(self, files):
        for sub in ("etc", "run", "log/cdr-csv", "lib", "spool", "cache"):
            (self.dir / sub).mkdir(parents=True)
        d = self.dir
        conf = {
            "asterisk.conf": "[directories]\n"
                             "astetcdir => %s/etc\n"
                             "astmoddir => /usr/lib/x86_64-linux-gnu/asterisk/modules\n"
                             "astvarlibdir => /var/lib/asterisk\n"
                             "astdbdir => %s/lib\n"
                             "astdatadir => /usr/share/asterisk\n"
                             "astspooldir => %s/spool\n"
                             "astrundir => %s/run\n"
                             "astlogdir => %s/log\n"
                             "astcachedir => %s/cache\n"
                             "[options]\nverbose = 3\nnocolor = yes\n" % (d, d, d, d, d, d),
            "modules.conf": MODULES,
            "logger.conf": "[general]\n[logfiles]\n"
                           "messages.log => notice,warning,error,verbose(3),dtmf\n",
            "manager.conf": "[general]\nenabled = yes\nport = %d\nbindaddr = 127.0.0.1\n\n"
                            "[%s]\nsecret = %s\ndeny = 0.0.0.0/0.0.0.0\n"
                            "permit = 127.0.0.0/255.0.0.0\nread = all\nwrite = all\n"
                            % (AMI_PORT, self.ami_user, self.ami_secret),
            "cdr.conf": "[general]\nenable = yes\n[csv]\nusegmtime = yes\nloguniqueid = yes\n"
                        "loguserfield = yes\n",
            "cdr_manager.conf": "[general]\nenabled = yes\n",
            "rtp.conf": "[general]\nrtpstart = 10000\nrtpend = 10099\nicesupport = no\n",
            "indications.conf": (self.root / "usr/share/asterisk/conf/samples/"
                                 "indications.conf.sample").read_text(),
            "acl.conf": "", "geolocation.conf": "",
            "pjsip.conf": "", "extensions.conf": "[general]\nstatic = yes\n",
        }
        conf.update({s: "[general]\n" for s in _STUBS})
        conf.update(files)
        for fname, text in conf.items():
            text = text.replace("@ETC@", str(self.etc))
            (self.etc / fname).parent.mkdir(parents=True, exist_ok=True)
            (self.etc / fname).write_text(text)
        uid, gid = _asterisk_ids(self.root)
        for p in [self.dir, *self.dir.rglob("*")]:
            os.chown(p, uid, gid)

    @property
    def cdr_csv(self):
        return self.log / "cdr-csv/Master.csv"

    def argv(self):
        return [ENGINE_EXEC, "--root", self.root, "--bind", INSTANCES, "--",
                "/usr/sbin/asterisk", "-f", "-n", "-U", "asterisk", "-G", "asterisk",
                "-C", self.etc / "asterisk.conf"]

    def start(self, timeout=20):
        """Starts Asterisk and waits for FullyBooted over AMI (logged in,
        events on: self.ami)."""
        if not os.access(ENGINE_EXEC, os.X_OK):
            pytest.fail("missing %s (build first, or set DIFOS_BUILD)" % ENGINE_EXEC)
        t = time.monotonic()
        self.proc = self.lab.spawn("asterisk-" + self.name, self.ns, self.argv())
        deadline = t + timeout

        def login():
            if self.proc.poll() is not None:
                raise AssertionError("asterisk exited with %s:\n%s" %
                                     (self.proc.returncode, self.log_tail()))
            ami = Ami.connect(self.ns, timeout=2)
            try:
                ami.login(self.ami_user, self.ami_secret)
            except Exception:
                ami.close()
                raise
            return ami
        try:
            self.ami = wait_for(login, timeout, interval=0.1, what="AMI login")
            self.ami.wait_event(lambda e: e.get("Event") == "FullyBooted",
                                max(0.1, deadline - time.monotonic()))
        except AssertionError as e:
            raise AssertionError("%s\n%s" % (e, self.log_tail())) from None
        self.booted_in = time.monotonic() - t
        return self

    def stop(self, timeout=10):
        """SIGTERM (a clean stop), SIGKILL after timeout; returns the exit status."""
        if self.ami:
            self.ami.close()
            self.ami = None
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(timeout=5)

    def log_tail(self, n=40):
        out = []
        for f in (self.lab.tmp / ("asterisk-%s.log" % self.name), self.log / "messages.log"):
            if f.exists():
                lines = f.read_text(errors="replace").splitlines()
                out.append("--- %s ---\n%s" % (f, "\n".join(lines[-n:])))
        return "\n".join(out)

    def cdr_rows(self):
        """The CSV CDRs as lists of fields (Master.csv has no header)."""
        if not self.cdr_csv.exists():
            return []
        with open(self.cdr_csv, newline="") as f:
            return list(csv.reader(f))


# --------------------------------------------------------------------------
# sipp


class SippResult:
    def __init__(self, argv, rc, out, err, stats, screen, messages):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err
        self.stats = stats          # the last row of -trace_stat, by column
        self.screen = screen        # the last screens (sipp 3.6 counts no RTP there:
                                    # count it with PbxLab.capture)
        self.messages = messages    # the SIP messages sent and received

    @property
    def ok(self):
        return self.rc == 0

    @property
    def responses(self):
        """Status codes of the SIP responses received, in order."""
        # each once: sipp also repeats an unexpected message in its log
        # ("bytes :" in 3.6, "bytes:" in 3.8)
        return [int(c) for c in re.findall(r"message received \[\d+\] bytes ?:\s*SIP/2\.0 (\d{3})",
                                           self.messages)]

    def counter(self, name):
        """A cumulative counter of -trace_stat, e.g. SuccessfulCall."""
        return int(self.stats.get(name + "(C)", 0))

    def describe(self):
        return "sipp %s\nrc=%s\n--- stdout ---\n%s\n--- stderr ---\n%s\n--- messages ---\n%s" % (
            " ".join(map(str, self.argv)), self.rc, self.out[-2000:], self.err[-2000:],
            self.messages[-4000:])


class Sipp:
    """One sipp in the peer namespace, with its files in a folder of its own.
    With from_root, the engine root's SIPp (3.8, with TLS; Debian 12's 3.6
    has none) runs through difos-engine-exec."""

    def __init__(self, lab, name, scenario, args, port=None, from_root=False):
        self.lab = lab
        self.dir = lab.tmp / ("sipp-%s-%d" % (name, next(_counter)))
        self.dir.mkdir()
        prefix = [ENGINE_EXEC, "--root", engine_root(), "--bind", INSTANCES, "--"] \
            if from_root else []
        self.argv = [*prefix, SIPP, "%s:%d" % (lab.sip_host, port or lab.sip_port),
                     "-i", lab.peer_addr,
                     "-sf", lab.scenarios / scenario, "-nostdin", "-m", "1",
                     "-trace_stat", "-stf", self.dir / "stat.csv",
                     "-trace_screen", "-screen_file", self.dir / "screen.log",
                     "-trace_msg", "-message_file", self.dir / "messages.log",
                     *args]
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.lab.peer, *map(str, self.argv)],
                                     cwd=self.dir, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
        self.lab.procs.append(("sipp", self.proc))
        return self

    def wait(self, timeout=30):
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            err += "\n[killed after %ss]" % timeout
        return SippResult(self.argv, self.proc.returncode, out, err, self._stats(),
                          self._read("screen.log"), self._read("messages.log"))

    def run(self, timeout=30):
        return self.start().wait(timeout)

    def _read(self, name):
        f = self.dir / name
        return f.read_text(errors="replace") if f.exists() else ""

    def _stats(self):
        lines = [ln for ln in self._read("stat.csv").splitlines() if ln.strip()]
        if len(lines) < 2:
            return {}
        head = lines[0].rstrip(";").split(";")
        vals = lines[-1].rstrip(";").split(";")
        return dict(zip(head, vals))


# --------------------------------------------------------------------------
# the lab


class PbxLab:
    def __init__(self):
        base = "dfp%d-%d" % (os.getpid(), next(_counter))
        self.pbx = base + "-x"
        self.peer = base + "-p"
        self.namespaces = []
        # under INSTANCES, so a sipp run from the engine root sees its files
        # at the same paths (the one bind of INSTANCES)
        INSTANCES.mkdir(mode=0o755, exist_ok=True)
        os.chmod(INSTANCES, 0o755)   # the engine's user walks through it
        self.tmp = Path(tempfile.mkdtemp(prefix="%d-lab-" % os.getpid(), dir=INSTANCES))
        os.chmod(self.tmp, 0o755)
        self.scenarios = self.tmp / "scenarios"
        shutil.copytree(SCENARIOS, self.scenarios)
        self._tls_client = None
        self.procs = []
        self.asterisks = []
        self.sip_host = PBX_ADDR
        self.sip_port = 6067    # the product's default SIP UDP port
        self.peer_addr = PEER_ADDR
        self.captures = []

    def setup(self):
        for ns in (self.pbx, self.peer):
            run(["ip", "netns", "add", ns], check=True)
            self.namespaces.append(ns)
            ns_exec(ns, "ip", "link", "set", "lo", "up", check=True)
        run(["ip", "link", "add", "eth0", "netns", self.pbx, "type", "veth",
             "peer", "name", "eth0", "netns", self.peer], check=True)
        for ns, addr in ((self.pbx, PBX_ADDR), (self.peer, PEER_ADDR)):
            ns_exec(ns, "ip", "addr", "add", addr + "/24", "dev", "eth0", check=True)
            ns_exec(ns, "ip", "link", "set", "eth0", "up", check=True)

    def spawn(self, name, ns, argv):
        log = open(self.tmp / (name + ".log"), "ab")
        p = subprocess.Popen(["ip", "netns", "exec", ns, *map(str, argv)],
                             stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                             start_new_session=True)
        log.close()
        self.procs.append((name, p))
        return p

    def start_asterisk(self, files, name="pbx", timeout=20, ns=None):
        """An Asterisk in the pbx namespace with the config files of files
        ({"pjsip.conf": text, "keys/pbx.crt": text, ...}) over the lab's
        defaults (asterisk.conf, modules.conf, manager.conf for AMI on
        127.0.0.1, cdr.conf for CSV, rtp.conf with ports 10000-10099,
        logger.conf, stubs). "@ETC@" in a text is the folder of the files.
        ns: another namespace than the pbx one (a second Asterisk as a SIP
        provider, say)."""
        engine_root()
        a = Asterisk(self, files, name, ns or self.pbx)
        self.asterisks.append(a)
        return a.start(timeout)

    # ---- sipp runners

    def sipp(self, name, scenario, *args, port=None, from_root=False):
        """A Sipp (not started) running scenario (a file of tests/integration/pbx)
        against the pbx at port (default self.sip_port)."""
        return Sipp(self, name, scenario, [str(a) for a in args], port=port,
                    from_root=from_root)

    def register(self, user, password, port, timeout=15, transport="udp", pbx_port=None,
                 tls_ca=None):
        """REGISTER user from PEER_ADDR:port with digest auth; a SippResult.
        transport "tls" runs the engine root's SIPp with a client certificate
        of the lab, and checks the pbx's certificate against tls_ca if given."""
        extra = []
        if transport == "tcp":
            extra = ["-t", "t1"]
        elif transport == "tls":
            cert, key = self.tls_client()
            extra = ["-t", "l1", "-tls_cert", cert, "-tls_key", key]
            if tls_ca:
                extra += ["-tls_ca", tls_ca]
        elif transport != "udp":
            raise ValueError("transport %r: udp, tcp or tls" % transport)
        return self.sipp("reg-%s" % user, "register.xml", "-p", port, "-s", user,
                         "-au", user, "-ap", password, *extra,
                         "-timeout", "%ds" % timeout, "-timeout_error",
                         port=pbx_port, from_root=transport == "tls").run(timeout + 5)

    # ---- certificates

    def make_ca(self, name):
        """A CA (key and certificate) in the lab folder: (crt, key)."""
        crt, key = self.tmp / ("%s-ca.crt" % name), self.tmp / ("%s-ca.key" % name)
        run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", key, "-out", crt, "-days", "2", "-subj", "/CN=%s test CA" % name,
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign"], check=True)
        return crt, key

    def make_cert(self, ca, name, ip):
        """A server certificate for ip signed by ca ((crt, key)): its (crt, key)
        as PEM text, to hand to Asterisk in its config files."""
        crt, key = self.tmp / ("%s.crt" % name), self.tmp / ("%s.key" % name)
        csr = self.tmp / ("%s.csr" % name)
        run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", key, "-out", csr, "-subj", "/CN=%s" % ip], check=True)
        ext = self.tmp / ("%s.ext" % name)
        ext.write_text("subjectAltName=IP:%s\nextendedKeyUsage=serverAuth,clientAuth\n" % ip)
        run(["openssl", "x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1],
             "-CAcreateserial", "-out", crt, "-days", "2", "-extfile", ext], check=True)
        return crt.read_text(), key.read_text()

    def tls_client(self):
        """SIPp's own certificate and key (it wants one even as a client)."""
        if not self._tls_client:
            ca = self.make_ca("client")
            crt, key = self.make_cert(ca, "sipp-client", PEER_ADDR)
            (self.tmp / "sipp-client.crt").write_text(crt)
            (self.tmp / "sipp-client.key").write_text(key)
            self._tls_client = (self.tmp / "sipp-client.crt", self.tmp / "sipp-client.key")
        return self._tls_client

    def call(self, caller, password, number, port, media_port, talk_ms=3000, timeout=20):
        """A sipp UAC call from caller (with auth) to number, playing the
        pcap's RTP for talk_ms, then BYE. Not yet waited for: .wait()."""
        inf = self.tmp / ("caller-%s.csv" % caller)
        inf.write_text("SEQUENTIAL\n%s;\n" % caller)
        return self.sipp("uac-%s" % caller, "uac-call.xml", "-p", port, "-mp", media_port,
                         "-s", number, "-au", caller, "-ap", password, "-inf", inf,
                         "-d", talk_ms, "-timeout", "%ds" % timeout,
                         "-timeout_error").start()

    def answer(self, port, media_port, timeout=20):
        """A sipp UAS that answers one call on PEER_ADDR:port and echoes the
        RTP it gets on media_port. Started: .wait() for its result."""
        s = self.sipp("uas-%d" % port, "uas-answer.xml", "-p", port, "-mp", media_port,
                      "-rtp_echo", "-timeout", "%ds" % timeout, "-timeout_error").start()
        # listening before anyone calls (a sipp that could not start says why)
        def listening():
            if s.proc.poll() is not None:
                raise AssertionError("sipp UAS on port %d exited:\n%s" % (port, s.wait(1).describe()))
            return ":%d " % port in ns_exec(self.peer, "ss", "-Hlun").stdout + " "
        wait_for(listening, 10, interval=0.05, what="sipp UAS on port %d" % port)
        return s

    # ---- packet capture

    def capture(self, name="rtp", filt=None):
        """tcpdump on the peer's eth0 (--immediate-mode, so nothing is
        lost when it stops), by default of the UDP that is not SIP to the
        pbx; stop with capture_packets()."""
        pcap = self.tmp / ("%s.pcap" % name)
        filt = filt or "udp and not port %d" % self.sip_port
        p = subprocess.Popen(["ip", "netns", "exec", self.peer, "tcpdump", "-i", "eth0", "-n",
                              "--immediate-mode", "-U", "-w", str(pcap), filt],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.procs.append(("tcpdump", p))
        # tcpdump says "listening on" once the capture runs
        deadline = time.monotonic() + 5
        line = ""
        while "listening on" not in line and time.monotonic() < deadline:
            line = p.stderr.readline()
        return p, pcap

    def capture_packets(self, cap):
        """Stops a capture; counts of UDP packets by (src, dst) "addr.port"."""
        p, pcap = cap
        time.sleep(0.2)
        p.send_signal(signal.SIGINT)
        p.wait(timeout=5)
        out = run(["tcpdump", "-r", pcap, "-n", "-q"], timeout=10).stdout
        counts = {}
        for m in re.finditer(r"IP (\S+) > (\S+): UDP", out):
            key = (m.group(1), m.group(2).rstrip(":"))
            counts[key] = counts.get(key, 0) + 1
        return counts

    # ---- tear down

    def teardown(self):
        errors = []
        for a in self.asterisks:
            try:
                a.stop()
            except Exception as e:
                errors.append("stopping asterisk: %r" % e)
        for name, p in reversed(self.procs):
            if p.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGKILL)
                with contextlib.suppress(Exception):
                    p.wait(timeout=5)
        for ns in self.namespaces:
            pids = [int(x) for x in run(["ip", "netns", "pids", ns], timeout=5).stdout.split()]
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            cp = run(["ip", "netns", "del", ns])
            if cp.returncode != 0:
                errors.append("ip netns del %s: %s" % (ns, cp.stderr.strip()))
            if pids:
                errors.append("processes left in %s: %s" % (ns, pids))
        shutil.rmtree(self.tmp, ignore_errors=True)
        return errors


def _check_prereqs():
    if os.geteuid() != 0:
        pytest.fail("integration tests must run as root")
    for tool in ("ip", SIPP, "tcpdump", "openssl"):
        if not shutil.which(tool):
            pytest.fail("missing tool: %s (scripts/install-deps.sh)" % tool)
    if not os.access(ENGINE_EXEC, os.X_OK):
        pytest.fail("missing %s (build first, or set DIFOS_BUILD)" % ENGINE_EXEC)
    engine_root()


@contextlib.contextmanager
def pbx_lab():
    """A PbxLab set up, torn down afterwards (fails on teardown problems)."""
    _check_prereqs()
    lab = PbxLab()
    try:
        lab.setup()
        yield lab
    finally:
        errors = lab.teardown()
        if errors:
            pytest.fail("pbx lab teardown problems: " + "; ".join(errors), pytrace=False)
