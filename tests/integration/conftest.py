"""
Integration lab for difos.

Every lab lives in three network namespaces created for it (names unique to
this run, prefix "dft<pid>-"):

    lan client ns            router ns                  wan ns
    eth0  <-- veth -->  lan0 [br-lan]  wan0  <-- veth -->  eth0 198.51.100.1/24
                                                          dnsmasq (DHCP + DNS)
                                                          TCP server :8080

difosd runs inside the router ns. No traffic ever leaves these namespaces.
Everything (processes, namespaces, temp dirs) is torn down in finalizers.

Tests run as root with Debian's /usr/bin/python3 -m pytest.
"""

import contextlib
import ipaddress
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

BUILD = Path(os.environ.get("DIFOS_BUILD", "/work/main/build"))
DIFOSD = BUILD / "difosd"
DIFOSCTL = BUILD / "difosctl"
PYTHON = "/usr/bin/python3"

LAN_ADDR = "192.168.1.1"
WAN_SERVER = "198.51.100.1"
CLIENT_MAC = "02:df:05:00:00:01"
POOL_FIRST = ipaddress.IPv4Address("192.168.1.100")
POOL_LAST = ipaddress.IPv4Address("192.168.1.249")

# AddressSanitizer (and its leak checker), UndefinedBehaviorSanitizer
SANITIZER_RE = re.compile(r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|"
                          r"\.(?:c|h):\d+:\d+: runtime error:")

_counter = itertools.count(1)
# every daemon started in this session, for failure diagnostics
_DAEMONS = []


# --------------------------------------------------------------------------
# small helpers


def run(argv, timeout=10, check=False, input=None, env=None):
    """Runs argv (no shell) with a bounded timeout; returns CompletedProcess."""
    argv = [str(a) for a in argv]
    try:
        cp = subprocess.run(argv, input=input, capture_output=True, text=True,
                            timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
        cp = subprocess.CompletedProcess(argv, 124, out, err + "\n[timed out after %ss]" % timeout)
    if check and cp.returncode != 0:
        raise AssertionError("command failed (rc=%d): %s\nstdout: %s\nstderr: %s" %
                             (cp.returncode, " ".join(argv), cp.stdout, cp.stderr))
    return cp


def ns_exec(ns, *argv, timeout=10, check=False, input=None):
    """Runs argv inside network namespace ns."""
    return run(["ip", "netns", "exec", ns, *argv], timeout=timeout, check=check, input=input)


def wait_for(predicate, timeout, interval=0.25, what="condition"):
    """Polls predicate until it returns something truthy; returns that value.
    Raises AssertionError after timeout seconds; what (text, or a callable
    returning text) describes the condition."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        try:
            v = predicate()
            if v:
                return v
        except Exception as e:  # keep polling, report the last error
            last_exc = e
        if time.monotonic() >= deadline:
            if callable(what):   # a description computed at failure time
                try:
                    what = what()
                except Exception as e:
                    what = "condition (description failed: %r)" % e
            raise AssertionError("timed out after %ss waiting for %s%s" %
                                 (timeout, what, " (last error: %r)" % last_exc if last_exc else ""))
        time.sleep(interval)


def describe(cp):
    return "rc=%s\n--- stdout ---\n%s\n--- stderr ---\n%s" % (cp.returncode, cp.stdout, cp.stderr)


def find_key(obj, key):
    """First value stored under key anywhere in a JSON value (depth first)."""
    if isinstance(obj, dict):
        if key in obj:
            return obj[key]
        for v in obj.values():
            r = find_key(v, key)
            if r is not None:
                return r
    elif isinstance(obj, list):
        for v in obj:
            r = find_key(v, key)
            if r is not None:
                return r
    return None


def dicts_with_value(obj, pred):
    """All dicts (anywhere in a JSON value) having a direct value v with pred(v),
    plus dict entries whose key satisfies pred (returned as {key: value})."""
    out = []
    if isinstance(obj, dict):
        if any(isinstance(v, str) and pred(v) for v in obj.values()):
            out.append(obj)
        for k, v in obj.items():
            if pred(k):
                out.append({k: v})
            out.extend(dicts_with_value(v, pred))
    elif isinstance(obj, list):
        for v in obj:
            out.extend(dicts_with_value(v, pred))
    return out


def history_entries(obj):
    """The list of revision records ({id, state, comment, ...}) in a history answer."""
    if isinstance(obj, list) and all(isinstance(x, dict) for x in obj) and \
            any("state" in x for x in obj):
        return obj
    if isinstance(obj, dict):
        for v in obj.values():
            r = history_entries(v)
            if r is not None:
                return r
    elif isinstance(obj, list):
        for v in obj:
            r = history_entries(v)
            if r is not None:
                return r
    return None


def rev_id(entry):
    for k in ("id", "revision", "rev"):
        if k in entry:
            return int(entry[k])
    raise AssertionError("history entry without an id: %r" % (entry,))


def is_ipv4(s):
    try:
        ipaddress.IPv4Address(s)
        return True
    except ValueError:
        return False


# --------------------------------------------------------------------------
# difosd


class Difosd:
    """One difosd running inside the router ns with its own --root."""

    def __init__(self, lab, binary=None):
        self.lab = lab
        self.binary = binary or DIFOSD
        self.ns = lab.router
        self.root = Path(tempfile.mkdtemp(prefix="difos-root-"))
        os.chmod(self.root, 0o755)   # dnsmasq drops privileges
        self.proc = None
        self.killed = False
        self.logs = []
        self.starts = 0
        _DAEMONS.append(self)

    @property
    def sock(self):
        return self.root / "run/difos/control.sock"

    @property
    def db(self):
        return self.root / "var/lib/difos/config.db"

    @property
    def log(self):
        return self.logs[-1] if self.logs else None

    def start(self, *extra, wait=True, env=None):
        """env: variables added to difosd's environment (its engines inherit them)."""
        assert self.proc is None or self.proc.poll() is not None, "difosd already running"
        self.starts += 1
        log = self.lab.tmp / ("difosd-%d.log" % self.starts)
        self.logs.append(log)
        # own UTS namespace too: nothing difosd does may rename the host
        argv = ["ip", "netns", "exec", self.ns, "unshare", "--uts", "--",
                str(self.binary), "--root", str(self.root),
                "--backend", "linux", "--debug", *map(str, extra)]
        with open(log, "wb") as f:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=f, stderr=f,
                                         start_new_session=True,
                                         env={**os.environ, **env} if env else None)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=20):
        cp = self.ctl("wait", "--timeout", str(timeout), timeout=timeout + 5)
        if cp.returncode != 0:
            raise AssertionError("difosd did not answer (difosctl wait: %s)\n%s" %
                                 (describe(cp), self.log_tail()))
        assert self.proc.poll() is None, "difosd exited (rc=%s)\n%s" % (self.proc.returncode,
                                                                          self.log_tail())

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def ctl(self, *args, json_out=False, timeout=30):
        argv = [str(DIFOSCTL), "--root", str(self.root)]
        if json_out:
            argv.append("--json")
        argv.extend(str(a) for a in args)
        return ns_exec(self.ns, *argv, timeout=timeout)

    def ctl_ok(self, *args, timeout=30):
        cp = self.ctl(*args, timeout=timeout)
        assert cp.returncode == 0, "difosctl %s failed: %s" % (" ".join(map(str, args)),
                                                                describe(cp))
        return cp

    def ctl_json(self, *args, timeout=30):
        cp = self.ctl(*args, json_out=True, timeout=timeout)
        assert cp.returncode == 0, "difosctl --json %s failed: %s" % (" ".join(map(str, args)),
                                                                       describe(cp))
        try:
            return json.loads(cp.stdout)
        except ValueError as e:
            raise AssertionError("difosctl --json %s printed no JSON (%s): %r" %
                                 (" ".join(map(str, args)), e, cp.stdout))

    def status(self):
        return self.ctl_json("status")

    def running_rev(self):
        st = self.status()
        r = st.get("running") if isinstance(st, dict) else None
        if r is None:
            r = find_key(st, "running")
        assert r is not None, "status has no 'running' field: %r" % (st,)
        if isinstance(r, dict):
            r = rev_id(r)
        return int(r)

    def history(self):
        h = history_entries(self.ctl_json("history"))
        assert h is not None, "history answer holds no revision list"
        return sorted(h, key=rev_id)

    def log_tail(self, n=60):
        parts = []
        for log in self.logs:
            try:
                lines = log.read_text(errors="replace").splitlines()
            except OSError:
                continue
            parts.append("----- %s (last %d lines) -----\n%s" % (log, n, "\n".join(lines[-n:])))
        return "\n".join(parts)

    def sanitizer_report(self):
        for log in self.logs:
            try:
                text = log.read_text(errors="replace")
            except OSError:
                continue
            m = SANITIZER_RE.search(text)
            if m:
                i = m.start()
                return "%s in %s:\n%s" % (m.group(0), log, text[max(0, i - 200):i + 4000])
        return None

    def kill9(self):
        if self.alive():
            self.killed = True
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self, timeout=10):
        """SIGTERM, then SIGKILL; returns the exit code (None if never started)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.killed = False
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.lab.note("difosd (pid %d) ignored SIGTERM for %ss; killed" %
                              (self.proc.pid, timeout))
                self.killed = True
                self.proc.send_signal(signal.SIGKILL)
                self.proc.wait(timeout=10)
        return self.proc.returncode


# --------------------------------------------------------------------------
# the lab

CLIENT_SCRIPT = r"""#!/bin/sh
# udhcpc event script of the lan client (never touches /etc/resolv.conf)
case "$1" in
deconfig)
	ip -4 addr flush dev "$interface"
	ip link set "$interface" up
	;;
bound|renew)
	ip -4 addr flush dev "$interface"
	ip addr add "$ip/$mask" dev "$interface"
	set -- $router
	[ -n "$1" ] && ip route replace default via "$1" dev "$interface"
	printf 'ip=%s\nmask=%s\nrouter=%s\ndns=%s\nevent=%s\n' "$ip" "$mask" "$router" "$dns" "$EVENT" > "@OUT@.tmp"
	mv "@OUT@.tmp" "@OUT@"
	;;
esac
exit 0
"""

TCP_SERVER = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(16)
while True:
    c, a = s.accept()
    try:
        c.settimeout(2)
        c.sendall((a[0] + "\n").encode())
    except OSError:
        pass
    finally:
        c.close()
"""


class Lab:
    def __init__(self):
        n = next(_counter)
        base = "dft%d-%d" % (os.getpid(), n)
        self.router = base + "-r"
        self.lan = base + "-l"
        self.wan = base + "-w"
        self.tmp = Path(tempfile.mkdtemp(prefix="difos-lab-"))
        os.chmod(self.tmp, 0o755)
        self.procs = []          # (name, Popen) started by the lab
        self.namespaces = []
        self.daemons = []
        self.notes = []
        self.router_wan_addr = None
        self.sanitizer_reports = []
        self.torn_down = False

    def note(self, text):
        self.notes.append(text)

    # ---- build / tear down

    def setup(self):
        for ns in (self.router, self.lan, self.wan):
            run(["ip", "netns", "add", ns], check=True)
            self.namespaces.append(ns)
            ns_exec(ns, "ip", "link", "set", "lo", "up", check=True)
        # veth pairs created directly inside the namespaces
        run(["ip", "link", "add", "lan0", "netns", self.router, "type", "veth",
             "peer", "name", "eth0", "netns", self.lan], check=True)
        run(["ip", "link", "add", "wan0", "netns", self.router, "type", "veth",
             "peer", "name", "eth0", "netns", self.wan], check=True)
        ns_exec(self.lan, "ip", "link", "set", "eth0", "address", CLIENT_MAC, check=True)
        for ns in (self.lan, self.wan):
            ns_exec(ns, "ip", "link", "set", "eth0", "up", check=True)
        ns_exec(self.wan, "ip", "addr", "add", WAN_SERVER + "/24", "dev", "eth0", check=True)

        # wan side: dnsmasq as DHCP + DNS server, and a TCP echo-the-peer server
        (self.tmp / "tcpserver.py").write_text(TCP_SERVER)
        self.spawn("wan-dnsmasq", self.wan, [
            "dnsmasq", "-k", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
            "--user=root", "--group=root",
            "--interface=eth0", "--bind-interfaces", "--except-interface=lo",
            "--dhcp-range=198.51.100.10,198.51.100.50,255.255.255.0,1h",
            "--dhcp-option=option:router," + WAN_SERVER,
            "--dhcp-option=option:dns-server," + WAN_SERVER,
            "--address=/upstream.test/" + WAN_SERVER,
            "--txt-record=upstream.test,from-the-wan",
            "--dhcp-authoritative", "--no-ping",
            "--dhcp-leasefile=%s" % (self.tmp / "wan.leases"),
            "--pid-file=%s" % (self.tmp / "wan-dnsmasq.pid"),
            "--log-facility=-", "--log-dhcp", "--log-queries"])
        self.spawn("wan-tcp", self.wan, [PYTHON, str(self.tmp / "tcpserver.py"),
                                          WAN_SERVER, "8080"])
        wait_for(lambda: ns_exec(self.wan, "nc", "-z", "-w", "1", WAN_SERVER, "8080",
                                 timeout=5).returncode == 0,
                 10, what="the wan TCP server")
        wait_for(lambda: WAN_SERVER in ns_exec(
            self.wan, "dig", "+time=1", "+tries=1", "+short", "@" + WAN_SERVER,
            "upstream.test", timeout=5).stdout, 10, what="the wan dnsmasq to answer DNS")

    def spawn(self, name, ns, argv, logname=None):
        log = self.tmp / (logname or (name + ".log"))
        with open(log, "ab") as f:
            p = subprocess.Popen(["ip", "netns", "exec", ns, *map(str, argv)],
                                 stdin=subprocess.DEVNULL, stdout=f, stderr=f,
                                 start_new_session=True)
        self.procs.append((name, p))
        return p

    @staticmethod
    def stop_proc(p):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGKILL)
                p.wait(timeout=5)

    def teardown(self):
        errors = []
        for d in self.daemons:
            try:
                rc = d.stop()
                if rc not in (None, 0) and not d.killed:
                    self.note("difosd %s exited with status %s (expected 0 after SIGTERM)"
                              % (d.root, rc))
            except Exception as e:
                errors.append("stopping difosd: %r" % e)
            report = d.sanitizer_report()
            if report:
                self.sanitizer_reports.append(report)
            shutil.rmtree(d.root, ignore_errors=True)
        self.torn_down = True
        for name, p in reversed(self.procs):
            try:
                self.stop_proc(p)
            except Exception as e:
                errors.append("stopping %s: %r" % (name, e))
        # anything still running inside our namespaces was started by us (or by
        # the difosd we started): end it by pid before deleting the namespace
        for ns in self.namespaces:
            try:
                pids = self.ns_pids(ns)
                if pids:
                    self.note("processes left in %s after teardown: %s" %
                              (ns, ", ".join("%d (%s)" % (p, self.comm(p)) for p in pids)))
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                if pids:
                    wait_for(lambda: not self.ns_pids(ns), 5, what="processes in %s to die" % ns)
            except Exception as e:
                errors.append("killing leftovers in %s: %r" % (ns, e))
        for ns in self.namespaces:
            cp = run(["ip", "netns", "del", ns])
            if cp.returncode != 0:
                errors.append("ip netns del %s: %s" % (ns, cp.stderr.strip()))
        shutil.rmtree(self.tmp, ignore_errors=True)
        return errors

    @staticmethod
    def ns_pids(ns):
        cp = run(["ip", "netns", "pids", ns], timeout=5)
        return [int(x) for x in cp.stdout.split() if x.isdigit() and int(x) != os.getpid()]

    @staticmethod
    def comm(pid):
        try:
            return Path("/proc/%d/comm" % pid).read_text().strip()
        except OSError:
            return "?"

    # ---- router daemon

    @property
    def daemon(self):
        return self.daemons[-1]

    def new_daemon(self, binary=None):
        """A difosd of the build under test, or binary (another build of it)."""
        d = Difosd(self, binary)
        self.daemons.append(d)
        return d

    def router_wan_ipv4(self):
        cp = ns_exec(self.router, "ip", "-j", "-4", "addr", "show", "dev", "wan0", timeout=5)
        try:
            data = json.loads(cp.stdout or "[]")
        except ValueError:
            return None
        for link in data:
            for a in link.get("addr_info", []):
                if a.get("local", "").startswith("198.51.100."):
                    return a["local"]
        return None

    def wait_router_wan(self, timeout=30):
        addr = wait_for(self.router_wan_ipv4, timeout,
                        what="the router's wan0 to get a DHCP address from the wan ns")
        self.router_wan_addr = addr
        # the wan side could reach the LAN if the firewall allowed it
        ns_exec(self.wan, "ip", "route", "replace", "192.168.1.0/24", "via", addr, check=True)
        return addr

    # ---- lan client

    def client_dhcp(self, timeout=30):
        """One DHCP exchange from the lan client; returns the env dict or None."""
        out = self.tmp / "client-lease.env"
        script = self.tmp / "udhcpc.sh"
        script.write_text(CLIENT_SCRIPT.replace("@OUT@", str(out)))
        os.chmod(script, 0o755)
        with contextlib.suppress(FileNotFoundError):
            out.unlink()
        cp = ns_exec(self.lan, "busybox", "udhcpc", "-f", "-q", "-n", "-t", "5", "-T", "1",
                     "-i", "eth0", "-s", script, timeout=timeout)
        self.last_udhcpc = cp
        if cp.returncode != 0 or not out.exists():
            return None
        env = {}
        for line in out.read_text().splitlines():
            k, _, v = line.partition("=")
            env[k] = v
        return env

    def client_dhcp_ok(self, timeout=30):
        env = self.client_dhcp(timeout=timeout)
        assert env, "the lan client got no DHCP lease:\n%s" % describe(self.last_udhcpc)
        return env

    def client_static(self, addr="192.168.1.20", prefix=24):
        """Gives the lan client a fixed address (no DHCP) and the router as gateway."""
        ns_exec(self.lan, "ip", "-4", "addr", "flush", "dev", "eth0", check=True)
        ns_exec(self.lan, "ip", "addr", "add", "%s/%d" % (addr, prefix), "dev", "eth0", check=True)
        ns_exec(self.lan, "ip", "route", "replace", "default", "via", LAN_ADDR, check=True)
        return addr

    def wait_client_ipv6(self, timeout=6):
        """Waits until the lan client's IPv6 addresses have settled: none
        tentative and, when the router's LAN has a global address (it then
        advertises a prefix), the client's SLAAC address formed. A browser
        aborts its requests in flight when an address of its host comes or
        goes (net::ERR_NETWORK_CHANGED), so scenarios start after this."""
        def addrs(ns, dev):
            cp = ns_exec(ns, "ip", "-j", "-6", "addr", "show", "dev", dev, timeout=5)
            return [a for link in json.loads(cp.stdout or "[]") for a in link.get("addr_info", [])]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            mine = addrs(self.lan, "eth0")
            routed = any(a.get("scope") == "global" for a in addrs(self.router, "br-lan"))
            if not any(a.get("tentative") for a in mine) and (
                    not routed or any(a.get("scope") == "global" for a in mine)):
                return
            time.sleep(0.1)

    def client_addrs(self):
        cp = ns_exec(self.lan, "ip", "-j", "-4", "addr", "show", "dev", "eth0", timeout=5)
        return [a["local"] for link in json.loads(cp.stdout or "[]")
                for a in link.get("addr_info", [])]

    # ---- probes

    def dig(self, name, ns=None, server=LAN_ADDR, rtype="A"):
        """A records for name asked from server (from the lan client by default)."""
        cp = ns_exec(ns or self.lan, "dig", "+time=1", "+tries=2", "+short", "@" + server,
                     name, rtype, timeout=10)
        return cp, [ln.strip() for ln in cp.stdout.splitlines() if is_ipv4(ln.strip())]

    def resolve(self, name, ns=None, server=LAN_ADDR):
        return self.dig(name, ns=ns, server=server)[1]

    def tcp(self, ns, host, port, wait=2):
        """Connects, returns (rc, text the server sent)."""
        cp = ns_exec(ns, "nc", "-n", "-w", str(wait), host, str(port), timeout=wait + 8)
        return cp.returncode, cp.stdout


# --------------------------------------------------------------------------
# fixtures


def _check_prereqs():
    if os.geteuid() != 0:
        pytest.fail("integration tests must run as root")
    for b in (DIFOSD, DIFOSCTL):
        if not os.access(b, os.X_OK):
            pytest.fail("missing %s (build first: make -C /work/main build, or set DIFOS_BUILD)" % b)
    for tool in ("ip", "dnsmasq", "busybox", "dig", "nc", "sqlite3", "nft"):
        if not shutil.which(tool):
            pytest.fail("missing tool: %s" % tool)


@contextlib.contextmanager
def make_lab(start_daemon=True, daemon_args=()):
    """A lab; with start_daemon, difosd is running and the router has its WAN address."""
    _check_prereqs()
    lab = Lab()
    try:
        lab.setup()
        if start_daemon:
            d = lab.new_daemon()
            d.start(*daemon_args)
            lab.wait_router_wan()
        yield lab
    finally:
        errors = lab.teardown()
        for n in lab.notes:
            print("lab note:", n)
        _NOTES.extend(lab.notes)
        reports = lab.sanitizer_reports
        if reports:
            pytest.fail("sanitizer report in difosd's stderr:\n" + "\n".join(reports),
                        pytrace=False)
        if errors:
            pytest.fail("lab teardown problems: " + "; ".join(errors), pytrace=False)


_NOTES = []


@pytest.fixture
def lab():
    """Fresh lab with difosd running (function scope: tests may change anything)."""
    with make_lab() as lb:
        yield lb


@pytest.fixture
def bare_lab():
    """Fresh lab without difosd: the test starts it itself."""
    with make_lab(start_daemon=False) as lb:
        yield lb


@pytest.fixture(scope="module")
def shared_lab():
    """Lab shared by a module's read-only tests (they must not change the configuration)."""
    with make_lab() as lb:
        yield lb


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed and rep.when == "call":
        labs = [v for v in getattr(item, "funcargs", {}).values() if isinstance(v, Lab)]
        for lb in labs:
            for d in lb.daemons:
                if d.logs:
                    rep.sections.append(("difosd log (%s)" % d.root, d.log_tail()))


def pytest_terminal_summary(terminalreporter):
    if _NOTES:
        terminalreporter.section("difos lab notes")
        for n in dict.fromkeys(_NOTES):   # once each, in order
            terminalreporter.write_line(n)
