r"""
Lab additions for the routes tests, on top of conftest's Lab:

    lan client ns (.20)  --lan0--\                          wan ns (198.51.100.1)
                                  [br-lan] router  wan0 ---- 192.0.2.80-83 on lo, TCP :8081
    second client ns (.21) --lan1-/        wan1 ---- second upstream ns (203.0.113.1/24)
                                                     192.0.2.80-83 and 10.99.0.1/24 on lo,
                                                     TCP :8081, DNS (dnsmasq) for the tests

Both upstreams serve the same addresses, so only the router's routing decides
which one a connection reaches; each TCP server answers with the peer address
it sees (the router's address on that uplink, after masquerade).
Everything is created inside namespaces the lab owns and torn down with it.
"""

import json

from conftest import LAN_ADDR, describe, ns_exec, run, wait_for

UP2_ADDR = "203.0.113.1"
ROUTER_UP2_ADDR = "203.0.113.2"
CLIENT2_ADDR = "192.168.1.21"
SERVICE_PORT = 8081
# public-looking addresses both upstreams answer on
TARGET = "192.0.2.80"        # pbr.test (and its subdomains)
TARGET_OTHER = "192.0.2.81"  # other.test: not in any policy
TARGET_SUB = "192.0.2.82"    # sub.pbr.test
TARGET_LISTED = "192.0.2.83" # mullvad.net, a name from the premade list vpn-providers
BEHIND_UP2 = "10.99.0.1"     # a network only the second upstream reaches

DNS_RECORDS = {
    "pbr.test": TARGET,
    "other.test": TARGET_OTHER,
    "sub.pbr.test": TARGET_SUB,
    "mullvad.net": TARGET_LISTED,
}


def _ns_name(lab, suffix):
    # conftest names the router ns "<base>-r"
    return lab.router[:-2] + suffix


def _add_ns(lab, ns):
    run(["ip", "netns", "add", ns], check=True)
    lab.namespaces.append(ns)
    ns_exec(ns, "ip", "link", "set", "lo", "up", check=True)


def _serve_targets(lab, ns, name, extra=()):
    for addr in (TARGET, TARGET_OTHER, TARGET_SUB, TARGET_LISTED) + tuple(extra):
        ns_exec(ns, "ip", "addr", "add", addr if "/" in addr else addr + "/32", "dev", "lo",
                check=True)
    lab.spawn(name, ns, ["/usr/bin/python3", str(lab.tmp / "tcpserver.py"), "0.0.0.0",
                         str(SERVICE_PORT)])
    wait_for(lambda: ns_exec(ns, "nc", "-z", "-w", "1", TARGET, str(SERVICE_PORT),
                             timeout=5).returncode == 0,
             10, what="the TCP server in %s" % ns)


class RoutesLab:
    """The second upstream, the second LAN client and the servers."""

    def __init__(self, lab):
        self.lab = lab
        self.up2 = _ns_name(lab, "-u")
        self.client2 = _ns_name(lab, "-c")

    def setup(self):
        lab = self.lab
        # second upstream on the router's new device wan1
        _add_ns(lab, self.up2)
        run(["ip", "link", "add", "wan1", "netns", lab.router, "type", "veth",
             "peer", "name", "eth0", "netns", self.up2], check=True)
        ns_exec(self.up2, "ip", "link", "set", "eth0", "up", check=True)
        ns_exec(self.up2, "ip", "addr", "add", UP2_ADDR + "/24", "dev", "eth0", check=True)
        _serve_targets(lab, self.up2, "up2-tcp", extra=(BEHIND_UP2 + "/24",))
        args = ["dnsmasq", "-k", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
                "--user=root", "--group=root", "--interface=eth0", "--bind-interfaces",
                "--except-interface=lo", "--no-dhcp-interface=eth0",
                "--pid-file=%s" % (lab.tmp / "up2-dnsmasq.pid"),
                "--log-facility=-", "--log-queries"]
        args += ["--address=/%s/%s" % (name, addr) for name, addr in DNS_RECORDS.items()]
        lab.spawn("up2-dnsmasq", self.up2, args)
        wait_for(lambda: TARGET in ns_exec(self.up2, "dig", "+time=1", "+tries=1", "+short",
                                           "@" + UP2_ADDR, "pbr.test", timeout=5).stdout,
                 10, what="the DNS server of the second upstream")
        # the same service addresses behind the first upstream
        _serve_targets(lab, lab.wan, "wan-tcp-8081")
        # second LAN client, bridged in through lan1 once the LAN lists it
        _add_ns(lab, self.client2)
        run(["ip", "link", "add", "lan1", "netns", lab.router, "type", "veth",
             "peer", "name", "eth0", "netns", self.client2], check=True)
        ns_exec(self.client2, "ip", "link", "set", "eth0", "up", check=True)
        ns_exec(self.client2, "ip", "addr", "add", CLIENT2_ADDR + "/24", "dev", "eth0",
                check=True)
        ns_exec(self.client2, "ip", "route", "replace", "default", "via", LAN_ADDR, check=True)
        return self

    # ---- configuration

    def add_uplink2(self):
        """Declares wan1 as a custom interface in zone wan (staged, not applied)."""
        d = self.lab.daemon
        d.ctl_ok("add", "interfaces.custom", "name=uplink2", "device=wan1", "zone=wan",
                 "ipv4_address=%s/24" % ROUTER_UP2_ADDR, "ipv4_gateway=" + UP2_ADDR)

    def bridge_client2(self):
        self.lab.daemon.ctl_ok("set", "lan.interfaces", "lan0,lan1")

    # ---- probes

    def seen_as(self, ns, target=TARGET):
        """The peer address the upstream server saw for a connection from ns."""
        rc, out = self.lab.tcp(ns, target, SERVICE_PORT)
        return out.strip()

    def wait_seen_as(self, ns, want, target=TARGET, timeout=10):
        last = {}

        def probe():
            last["seen"] = self.seen_as(ns, target)
            return last["seen"] == want
        wait_for(probe, timeout, what=lambda: "a connection from %s to %s:%d to be seen as %s "
                 "(last seen as %r)" % (ns, target, SERVICE_PORT, want, last.get("seen")))

    def router(self, *argv):
        return ns_exec(self.lab.router, *argv, timeout=10)


def ip_json(lab, *argv):
    """`ip -j ARGV` in the router's namespace, parsed."""
    cp = ns_exec(lab.router, "ip", "-j", *argv, timeout=10)
    assert cp.returncode == 0, describe(cp)
    return json.loads(cp.stdout or "[]")


def routes_lab(lab):
    return RoutesLab(lab).setup()
