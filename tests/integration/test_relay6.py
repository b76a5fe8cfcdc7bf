"""
difos-relay6 between real IPv6 engines, in network namespaces made here:

    client ns               router ns                      isp ns
    eth0  <-- veth -->  lan0  difos-relay6  wan0  <-- veth -->  eth0 fd00:aaaa:bbbb:1::1/64
                                                               dnsmasq: RA (prefix
                                                               fd00:aaaa:bbbb:1::/64, RDNSS)
                                                               and DHCPv6 (addresses, DNS)
                                                               TCP echo server :8080

The isp owns the /64 and delegates nothing; the router is its client
(accept_ra=2 on wan0, forwarding on) and relays. The client must get a SLAAC
address from the relayed RA (seen with rdisc6 and in the kernel), a DHCPv6
address and DNS servers through the relay (dhclient -6), and reach the isp
by ping and TCP with no NAT in between (the NDP proxy and the host routes).
Everything is real: no part of this is simulated.
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import BUILD, SANITIZER_RE, describe, ns_exec, run, wait_for

RELAY = BUILD / "difos-relay6"
PREFIX = "fd00:aaaa:bbbb:1:"
ISP_ADDR = "fd00:aaaa:bbbb:1::1"
DNS6 = "fd00:aaaa:bbbb:1::53"
RTPROT = "109"   # R6_RTPROT (0x6d): the protocol of the relay's host routes
NEEDED = {"dnsmasq": "dnsmasq-base", "rdisc6": "ndisc6", "dhclient": "isc-dhcp-client",
          "ping": "iputils-ping", "ip": "iproute2"}

# the echo server of the isp: answers each line with the peer's address
ECHO = r"""
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 8080)); s.listen(4)
print("ready", flush=True)
while True:
    c, peer = s.accept()
    c.settimeout(5)
    data = c.recv(100)
    c.sendall(b"from " + peer[0].encode() + b" " + data)
    c.close()
"""

# dhclient's script: the address and the name servers, nothing else (the
# stock script would write the machine's /etc/resolv.conf)
DHSCRIPT = """#!/bin/sh
case "$reason" in
BOUND6|RENEW6|REBIND6|REBOOT6)
    [ -n "$new_ip6_address" ] && ip -6 addr replace "$new_ip6_address/${new_ip6_prefixlen:-128}" dev "$interface" nodad
    echo "$new_dhcp6_name_servers" > "$0.dns"
    echo "$new_dhcp6_server_id" > "$0.sid" ;;
esac
exit 0
"""


def _missing_tools():
    return ["%s (Debian package %s)" % (t, p) for t, p in NEEDED.items() if not shutil.which(t)]


class Lab6:
    def __init__(self):
        base = "dft%d-r6%d" % (os.getpid(), int(time.monotonic() * 1000) % 100000)
        self.isp, self.router, self.client = base + "i", base + "r", base + "c"
        self.tmp = Path(tempfile.mkdtemp(prefix="difos-relay6-"))
        os.chmod(self.tmp, 0o755)
        self.procs = []
        self.relay = None
        self.relay_log = self.tmp / "relay6.log"

    # -- setup
    def up(self):
        for ns in (self.isp, self.router, self.client):
            run(["ip", "netns", "add", ns], check=True)
            ns_exec(ns, "ip", "link", "set", "lo", "up", check=True)
        run(["ip", "-n", self.router, "link", "add", "wan0", "type", "veth", "peer", "name", "eth0",
             "netns", self.isp], check=True)
        run(["ip", "-n", self.router, "link", "add", "lan0", "type", "veth", "peer", "name", "eth0",
             "netns", self.client], check=True)
        sysctl = lambda ns, k, v: ns_exec(ns, "sysctl", "-qw", "%s=%s" % (k, v), check=True)
        # no DAD on the isp's and the router's links: their link-local
        # addresses are usable at once (the client keeps DAD: the relay learns
        # its addresses from it)
        for ns, dev in ((self.isp, "eth0"), (self.router, "wan0"), (self.router, "lan0")):
            sysctl(ns, "net.ipv6.conf.%s.accept_dad" % dev, 0)
        # what the LAN applier sets for relay mode
        sysctl(self.router, "net.ipv6.conf.all.forwarding", 1)
        sysctl(self.router, "net.ipv6.conf.wan0.accept_ra", 2)
        sysctl(self.isp, "net.ipv6.conf.all.forwarding", 1)   # a router: takes no RA
        ns_exec(self.isp, "ip", "-6", "addr", "add", ISP_ADDR + "/64", "dev", "eth0", "nodad",
                check=True)
        for ns, dev in ((self.isp, "eth0"), (self.router, "wan0"), (self.router, "lan0"),
                        (self.client, "eth0")):
            ns_exec(ns, "ip", "link", "set", dev, "up", check=True)
        return self

    def start_isp(self, ra_interval=4):
        lease = self.tmp / "isp.leases"
        argv = ["ip", "netns", "exec", self.isp, "dnsmasq", "--keep-in-foreground",
                "--conf-file=/dev/null", "--port=0", "--interface=eth0", "--bind-interfaces",
                "--user=root", "--group=root", "--pid-file=%s" % (self.tmp / "isp.pid"),
                "--dhcp-leasefile=%s" % lease, "--log-facility=-", "--log-dhcp",
                "--enable-ra", "--ra-param=eth0,%d,1800" % ra_interval,
                "--dhcp-range=fd00:aaaa:bbbb:1::1000,fd00:aaaa:bbbb:1::1fff,slaac,64,1h",
                "--dhcp-option=option6:dns-server,[%s]" % DNS6]
        self._spawn(argv, "isp-dnsmasq.log")
        p = self._spawn(["ip", "netns", "exec", self.isp, "/usr/bin/python3", "-u", "-c", ECHO],
                        "isp-echo.log")
        wait_for(lambda: "ready" in (self.tmp / "isp-echo.log").read_text(), 10,
                 what="the isp's echo server")
        return p

    def _spawn(self, argv, logname):
        f = open(self.tmp / logname, "wb")
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=f, stderr=f,
                             start_new_session=True)
        f.close()
        self.procs.append(p)
        return p

    def start_relay(self, *modes):
        argv = ["ip", "netns", "exec", self.router, str(RELAY), "--upstream", "wan0",
                "--downstream", "lan0", *modes]
        self.relay = self._spawn(argv, "relay6.log")
        wait_for(lambda: "relaying" in self.log() or self.relay.poll() is not None, 10,
                 what="difos-relay6 to start")
        assert self.relay.poll() is None, "difos-relay6 exited:\n" + self.log()

    def log(self):
        return self.relay_log.read_text(errors="replace") if self.relay_log.exists() else ""

    def down(self):
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=5)
        for ns in (self.isp, self.router, self.client):
            run(["ip", "netns", "del", ns])
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- reads
    def client_addrs(self):
        out = ns_exec(self.client, "ip", "-6", "-o", "addr", "show", "dev", "eth0",
                      "scope", "global").stdout
        return [(m.group(1), "tentative" in line) for line in out.splitlines()
                for m in [re.search(r"inet6 (\S+)/", line)] if m]

    def host_routes(self):
        out = ns_exec(self.router, "ip", "-6", "route", "show", "proto", RTPROT).stdout
        return out

    def diag(self):
        parts = ["--- relay log ---", self.log()]
        for name in ("isp-dnsmasq.log",):
            p = self.tmp / name
            parts += ["--- %s ---" % name, p.read_text(errors="replace") if p.exists() else ""]
        for ns in (self.isp, self.router, self.client):
            parts += ["--- %s addr/route/neigh ---" % ns,
                      ns_exec(ns, "ip", "-6", "addr").stdout,
                      ns_exec(ns, "ip", "-6", "route").stdout,
                      ns_exec(ns, "ip", "-6", "neigh").stdout]
        return "\n".join(parts)


@pytest.fixture
def lab6():
    if os.geteuid() != 0:
        pytest.fail("integration tests must run as root")
    missing = _missing_tools()
    if missing:
        pytest.fail("missing: " + ", ".join(missing) + " (scripts/debian-packages.txt)")
    if not os.access(RELAY, os.X_OK):
        pytest.fail("missing %s (build first, or set DIFOS_BUILD)" % RELAY)
    lab = Lab6().up()
    try:
        yield lab
        for p in lab.procs[:]:   # stop the relay first: its exit is checked too
            if p is lab.relay and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout=5)
        assert not SANITIZER_RE.search(lab.log()), "sanitizer report:\n" + lab.log()
    finally:
        lab.down()


def _slaac_addr(lab):
    """The client's SLAAC address in the isp's prefix, once DAD is over."""
    def ready():
        for a, tentative in lab.client_addrs():
            if a.startswith(PREFIX) and not tentative and not a.startswith(PREFIX + ":1"):
                return a
        return None
    return wait_for(ready, 20, what=lambda: "a SLAAC address on the client\n" + lab.diag())


def _dhclient(lab, *flags):
    script = lab.tmp / "dhscript"
    script.write_text(DHSCRIPT)
    script.chmod(0o755)
    # the client's link-local address must have left DAD first
    wait_for(lambda: "tentative" not in ns_exec(lab.client, "ip", "-6", "addr", "show", "dev",
                                                   "eth0", "scope", "link").stdout, 10,
             what="the client's link-local address to leave DAD")
    cp = ns_exec(lab.client, "dhclient", "-6", "-1", "-v", *flags, "-sf", str(script),
                 "-lf", str(lab.tmp / "client.leases"), "-pf", str(lab.tmp / "client.pid"),
                 "eth0", timeout=40)
    # dhclient -1 forks into the background once bound: stop it
    pid = lab.tmp / "client.pid"
    if pid.exists() and pid.read_text().strip():
        try:
            os.kill(int(pid.read_text().strip()), signal.SIGTERM)
        except (ProcessLookupError, ValueError):
            pass
    return cp, script


def test_relay_gives_the_client_slaac_dhcpv6_and_a_path_to_the_isp(lab6):
    lab = lab6
    lab.start_isp()
    lab.start_relay("--ra", "--dhcpv6", "--ndp")

    # the relayed RA, read on the client: the isp's prefix, from the router
    router_ll = re.search(r"inet6 (fe80::\S+)/", ns_exec(lab.router, "ip", "-6", "addr", "show",
                                                          "dev", "lan0").stdout).group(1)
    cp = wait_for(lambda: (lambda c: c if "fd00:aaaa:bbbb:1::/64" in c.stdout else None)(
        ns_exec(lab.client, "rdisc6", "-1", "-w", "1500", "-r", "3", "eth0", timeout=15)),
        20, what=lambda: "an RA on the client\n" + lab.diag())
    assert "from " + router_ll in cp.stdout, cp.stdout
    assert re.search(r"Stateful address conf\.\s*:\s*Yes", cp.stdout), cp.stdout
    assert "Proxy" not in cp.stdout or re.search(r"Proxy\S*\s*:\s*Yes", cp.stdout), cp.stdout
    mac = ns_exec(lab.router, "cat", "/sys/class/net/lan0/address").stdout.strip()
    assert mac.upper() in cp.stdout.upper(), "source link-layer address not the router's:\n" + cp.stdout
    slaac = _slaac_addr(lab)

    # DHCPv6 through the relay: an address of the isp's pool and its DNS server
    cp, script = _dhclient(lab)
    assert cp.returncode == 0, describe(cp) + lab.diag()
    leases = (lab.tmp / "client.leases").read_text()
    m = re.search(r"iaaddr (fd00:aaaa:bbbb:1::1[0-9a-f]{3})", leases)
    assert m, leases + lab.diag()
    dh_addr = m.group(1)
    assert DNS6 in Path(str(script) + ".dns").read_text(), leases
    assert "relayed to wan0" in lab.log() and "relayed to lan0" in lab.log(), lab.log()

    # both addresses reach the isp and back, found by the isp through the proxy
    for src in (slaac, dh_addr):
        # the first echo waits for the proxy's probes (well under 3 s)
        cp = ns_exec(lab.client, "ping", "-6", "-c", "1", "-W", "3", "-I", src, ISP_ADDR, timeout=15)
        assert cp.returncode == 0, "ping from %s: %s\n%s" % (src, describe(cp), lab.diag())
    cp = ns_exec(lab.client, "/usr/bin/python3", "-c",
                 "import socket; s = socket.create_connection(('%s', 8080), timeout=5);"
                 "s.sendall(b'hello'); print(s.recv(200).decode())" % ISP_ADDR, timeout=15)
    assert cp.returncode == 0 and "hello" in cp.stdout, describe(cp) + lab.diag()
    # no NAT: the isp saw the client's own address
    assert re.search(r"from fd00:aaaa:bbbb:1:\S+ hello", cp.stdout), cp.stdout

    # host routes to the client's addresses on the downstream, by the relay
    routes = lab.host_routes()
    assert slaac + " dev lan0" in routes and dh_addr + " dev lan0" in routes, routes + lab.diag()

    # SIGTERM: a clean exit, host routes gone, the client told the router left
    lab.relay.send_signal(signal.SIGTERM)
    assert lab.relay.wait(timeout=5) == 0, lab.log()
    assert lab.host_routes().strip() == "", lab.host_routes()
    assert "router lifetime 0" in lab.log(), lab.log()
    wait_for(lambda: "default" not in ns_exec(lab.client, "ip", "-6", "route", "show").stdout,
             5, what=lambda: "the client's default route to go\n" + lab.diag())


def test_neighbour_that_leaves_loses_its_host_route(lab6):
    lab = lab6
    lab.start_isp()
    lab.start_relay("--ra", "--ndp", "--neigh-refresh", "2")
    slaac = _slaac_addr(lab)
    wait_for(lambda: slaac + " dev lan0" in lab.host_routes(), 15,
             what=lambda: "the host route to %s\n%s" % (slaac, lab.diag()))
    # the isp finds the client: it is answered for on the upstream
    cp = ns_exec(lab.isp, "ping", "-6", "-c", "1", "-W", "3", slaac, timeout=10)
    assert cp.returncode == 0, describe(cp) + lab.diag()
    # the client goes: probes go unanswered, the route is removed
    ns_exec(lab.client, "ip", "link", "set", "eth0", "down", check=True)
    wait_for(lambda: slaac not in lab.host_routes(), 15,
             what=lambda: "the host route to go\n" + lab.diag())
    assert "went away" in lab.log(), lab.log()


def test_ra_from_downstream_is_never_relayed_upstream(lab6):
    lab = lab6
    lab.start_isp()
    # the isp takes RAs for this test: a relayed one would give it an address
    ns_exec(lab.isp, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=0", check=True)
    ns_exec(lab.isp, "sysctl", "-qw", "net.ipv6.conf.eth0.accept_ra=2", check=True)
    lab.start_relay("--ra", "--ndp")
    _slaac_addr(lab)
    # a rogue router downstream: dnsmasq advertising another prefix
    ns_exec(lab.client, "ip", "-6", "addr", "add", "fd00:dead:beef:1::1/64", "dev", "eth0",
            "nodad", check=True)
    lab._spawn(["ip", "netns", "exec", lab.client, "dnsmasq", "--keep-in-foreground",
                "--conf-file=/dev/null", "--port=0", "--interface=eth0", "--bind-interfaces",
                "--user=root", "--group=root", "--pid-file=%s" % (lab.tmp / "rogue.pid"),
                "--dhcp-leasefile=%s" % (lab.tmp / "rogue.leases"), "--log-facility=-",
                "--enable-ra", "--ra-param=eth0,4,1800",
                "--dhcp-range=fd00:dead:beef:1::,ra-only,64"], "rogue.log")
    wait_for(lambda: "ignored (RAs are relayed one way only)" in lab.log(), 15,
             what=lambda: "the relay to see the downstream RA\n" + lab.diag())
    time.sleep(2)
    out = ns_exec(lab.isp, "ip", "-6", "addr", "show", "dev", "eth0").stdout
    assert "fd00:dead:beef" not in out, out


def test_hybrid_answers_information_requests_with_the_upstream_dns(lab6):
    lab = lab6
    lab.start_isp()
    lab.start_relay("--ra", "--ndp", "--hybrid")
    cp = wait_for(lambda: (lambda c: c if "fd00:aaaa:bbbb:1::/64" in c.stdout else None)(
        ns_exec(lab.client, "rdisc6", "-1", "-w", "1500", "-r", "3", "eth0", timeout=15)),
        20, what=lambda: "an RA on the client\n" + lab.diag())
    assert re.search(r"Stateful other conf\.\s*:\s*Yes", cp.stdout), cp.stdout
    cp, script = _dhclient(lab, "-S")
    assert cp.returncode == 0, describe(cp) + lab.diag()
    assert DNS6 in Path(str(script) + ".dns").read_text(), lab.diag()
    # the answer is the router's own (DUID-LL of wan0), not the isp's
    mac = ns_exec(lab.router, "cat", "/sys/class/net/wan0/address").stdout.strip()
    assert ("0:3:0:1:" + ":".join("%x" % int(b, 16) for b in mac.split(":"))) in \
        Path(str(script) + ".sid").read_text().replace("00:", "0:"), \
        Path(str(script) + ".sid").read_text()
    assert "answered here" in lab.log(), lab.log()
