"""
IPv6 in the integration lab: the WAN namespace as an ISP (Kea delegating
prefixes by DHCPv6, dnsmasq advertising its /64, an IPv6 TCP server), and
the LAN client's view (its addresses, rdisc6, dhclient -6).

    lan client ns            router ns (difosd)            wan ns (the ISP)
    eth0 SLAAC/DHCPv6  <->  br-lan [lan0]   wan0  <->  eth0 2001:db8:ffff::1/64
                            difos-ra6, dnsmasq            Kea (IA_NA + IA_PD), RA
                            dhclient -6 on wan0           TCP server [::]:8086
"""

import json
import os
import re
import signal
import subprocess
import time

from conftest import describe, ns_exec, run, wait_for

ISP_ADDR = "2001:db8:ffff::1"
ISP_NET = "2001:db8:ffff::"
ISP_DNS = "2001:db8:ffff::53"
TCP6_PORT = 8086

TCP6_SERVER = r"""
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", int(sys.argv[1]))); s.listen(8)
print("ready", flush=True)
while True:
    c, peer = s.accept()
    try:
        c.settimeout(2)
        c.sendall(("from " + peer[0] + "\n").encode())
    except OSError:
        pass
    c.close()
"""

# dhclient's script on the LAN client: the address and the DNS servers only
CLIENT_DHSCRIPT = """#!/bin/sh
case "$reason" in
BOUND6|RENEW6|REBIND6|REBOOT6)
    [ -n "$new_ip6_address" ] && ip -6 addr replace "$new_ip6_address/128" dev "$interface" nodad
    echo "$new_dhcp6_name_servers" > "$0.dns"
    [ -n "$new_ip6_address" ] && echo "$new_ip6_address" >> "$0.addrs"
    echo "$new_ip6_address" > "$0.addr" ;;
esac
exit 0
"""


def kea_config(iface, pd_prefix, pd_len=48, delegated=56, preferred=300, valid=600):
    return {"Dhcp6": {
        "interfaces-config": {"interfaces": [iface], "service-sockets-max-retries": 20,
                              "service-sockets-retry-wait-time": 500},
        "server-id": {"type": "LLT", "persist": False},
        "lease-database": {"type": "memfile", "persist": False},
        "preferred-lifetime": preferred, "valid-lifetime": valid,
        "renew-timer": preferred // 3, "rebind-timer": preferred // 2,
        "option-data": [{"name": "dns-servers", "data": ISP_DNS}],
        "subnet6": [{"id": 1, "subnet": ISP_NET + "/64", "interface": iface,
                     "pools": [{"pool": ISP_NET + "100-" + ISP_NET + "1ff"}],
                     "pd-pools": [{"prefix": pd_prefix, "prefix-len": pd_len,
                                   "delegated-len": delegated}]}],
        "loggers": [{"name": "kea-dhcp6", "severity": "INFO",
                     "output_options": [{"output": "stdout"}]}],
    }}


class Isp:
    """The WAN namespace as an IPv6 ISP."""

    def __init__(self, lab):
        self.lab = lab
        self.kea = None
        self.n = 0

    def up(self, ra=True):
        lab = self.lab
        # the link up on both ends (Kea opens no socket on a link without carrier)
        ns_exec(lab.router, "ip", "link", "set", "wan0", "up", check=True)
        ns_exec(lab.wan, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1", check=True)
        ns_exec(lab.wan, "sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=0", check=True)
        ns_exec(lab.wan, "ip", "-6", "addr", "add", ISP_ADDR + "/64", "dev", "eth0", "nodad",
                check=True)
        ns_exec(lab.wan, "ip", "-6", "addr", "add", ISP_DNS + "/128", "dev", "lo", check=True)
        (lab.tmp / "tcp6.py").write_text(TCP6_SERVER)
        lab.spawn("wan-tcp6", lab.wan, ["/usr/bin/python3", "-u", str(lab.tmp / "tcp6.py"),
                                        TCP6_PORT])
        wait_for(lambda: "ready" in (lab.tmp / "wan-tcp6.log").read_text(), 10,
                 what="the ISP's IPv6 TCP server")
        if ra:
            # the ISP's router advertisements: the /64 of its link, no DHCPv6 here
            lab.spawn("wan-ra", lab.wan, [
                "dnsmasq", "-k", "--conf-file=/dev/null", "--port=0", "--interface=eth0",
                "--bind-interfaces", "--user=root", "--group=root",
                "--pid-file=%s" % (lab.tmp / "wan-ra.pid"), "--log-facility=-",
                "--enable-ra", "--ra-param=eth0,4,1800",
                "--dhcp-range=%s,ra-only,64,1h" % ISP_NET])
        return self

    def start_kea(self, pd_prefix, **kw):
        lab = self.lab
        if self.kea is not None:
            lab.stop_proc(self.kea)
        self.n += 1
        conf = lab.tmp / ("kea%d.json" % self.n)
        conf.write_text(json.dumps(kea_config("eth0", pd_prefix, **kw)))
        rundir = lab.tmp / "kea-run"
        rundir.mkdir(exist_ok=True)
        log = lab.tmp / ("kea%d.log" % self.n)
        with open(log, "wb") as f:
            self.kea = subprocess.Popen(
                ["ip", "netns", "exec", lab.wan, "env", "KEA_PIDFILE_DIR=%s" % rundir,
                 "KEA_LOCKFILE_DIR=%s" % rundir, "kea-dhcp6", "-c", str(conf)],
                stdin=subprocess.DEVNULL, stdout=f, stderr=f, start_new_session=True)
        lab.procs.append(("kea", self.kea))
        # it retries until the link-local address has left DAD
        wait_for(lambda: "]%eth0:547" in ns_exec(lab.wan, "ss", "-H", "-uln", "sport", "=",
                                                  ":547").stdout,
                 15, what=lambda: "Kea to listen on port 547:\n" + log.read_text())
        return log

    def route_to(self, prefix, via):
        """The ISP routes the delegated prefix to the router."""
        ns_exec(self.lab.wan, "ip", "-6", "route", "replace", prefix, "via", via, "dev", "eth0",
                check=True)


# ---- the router


def wan6_status(d):
    return _feature(d.status(), "wan").get("ipv6", {})


def lan_status(d):
    return _feature(d.status(), "lan")


def _feature(st, name):
    """The detail of one feature in "status" (its own status, its engines)."""
    feats = st.get("features") if isinstance(st, dict) else None
    if not isinstance(feats, dict) or name not in feats:
        raise AssertionError("status has no feature %s: %r" % (name, st))
    return feats[name].get("detail") or {}


def delegated(d):
    """The prefixes the WAN's DHCPv6 client holds now: [{prefix, length, preferred, valid}]."""
    return wan6_status(d).get("dhcpv6", {}).get("prefixes", [])


def wan6_address(d):
    addrs = wan6_status(d).get("dhcpv6", {}).get("addresses", [])
    return addrs[0]["address"] if addrs else None


def engine_pid(d, feature, key):
    eng = _feature(d.status(), feature).get(key) or {}
    return eng.get("pid") if eng.get("running") else None


# ---- the LAN client


def client_addrs6(lab, scope="global"):
    """[(address, prefixlen, tentative, deprecated)] of the client's eth0."""
    cp = ns_exec(lab.lan, "ip", "-j", "-6", "addr", "show", "dev", "eth0", "scope", scope,
                 timeout=5)
    out = []
    for link in json.loads(cp.stdout or "[]"):
        for a in link.get("addr_info", []):
            if "local" not in a:
                continue
            out.append((a["local"], a["prefixlen"], bool(a.get("tentative")),
                        bool(a.get("deprecated"))))
    return out


def slaac_addr(lab, prefix, usable=True):
    """The client's address in prefix (a /64 text like 2001:db8:1::), once DAD is over."""
    net = prefix.rstrip(":")

    def ready():
        for a, plen, tentative, deprecated in client_addrs6(lab):
            if a.startswith(net + ":") and plen == 64 and not tentative:
                if not usable or not deprecated:
                    return a
        return None
    return wait_for(ready, 30, what=lambda: "a SLAAC address in %s on the client; it has %r"
                    % (prefix, client_addrs6(lab)))


def rdisc6(lab):
    """The RAs the client hears after one solicitation: {prefix: (valid, preferred)}, flags."""
    cp = ns_exec(lab.lan, "rdisc6", "-w", "1500", "-r", "2", "eth0", timeout=15)
    prefixes = {}
    for m in re.finditer(r"Prefix\s*:\s*(\S+)/64.*?Valid time\s*:\s*(\d+|infinite).*?"
                         r"Pref\. time\s*:\s*(\d+|infinite)", cp.stdout, re.S):
        prefixes[m.group(1)] = (m.group(2), m.group(3))
    flags = {
        "M": bool(re.search(r"Stateful address conf\.\s*:\s*Yes", cp.stdout)),
        "O": bool(re.search(r"Stateful other conf\.\s*:\s*Yes", cp.stdout)),
    }
    return cp, prefixes, flags


def wait_ra(lab, pred, timeout=20, what="an RA"):
    last = {}

    def ok():
        cp, prefixes, flags = rdisc6(lab)
        last["cp"] = cp
        return (cp, prefixes, flags) if pred(prefixes, flags) else None
    return wait_for(ok, timeout, interval=0.5,
                    what=lambda: "%s; rdisc6 says:\n%s" % (what, last.get("cp") and
                                                          describe(last["cp"])))


def client_dhclient(lab, *flags, timeout=40):
    """dhclient -6 on the client (one exchange): (CompletedProcess, address, dns)."""
    script = lab.tmp / "client-dh6"
    script.write_text(CLIENT_DHSCRIPT)
    script.chmod(0o755)
    for suffix in (".addr", ".addrs", ".dns"):
        (lab.tmp / ("client-dh6" + suffix)).unlink(missing_ok=True)
    wait_for(lambda: "tentative" not in ns_exec(lab.lan, "ip", "-6", "addr", "show", "dev",
                                                   "eth0", "scope", "link").stdout, 10,
             what="the client's link-local address to leave DAD")
    leases = lab.tmp / "client-dh6.leases"
    cp = ns_exec(lab.lan, "dhclient", "-6", "-1", "-v", *flags, "-sf", str(script),
                 "-lf", str(leases), "-pf", str(lab.tmp / "client-dh6.pid"), "eth0",
                 timeout=timeout)
    # dhclient -1 forks into the background once bound, and one that timed
    # out goes on: end ours (those given our lease file)
    for pid in lab.ns_pids(lab.lan):
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
            if argv and argv[0].endswith(b"dhclient") and str(leases).encode() in argv:
                os.kill(pid, signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass
    read = lambda suffix: (lambda p: p.read_text().strip() if p.exists() else "")(
        lab.tmp / ("client-dh6" + suffix))
    return cp, read(".addr"), read(".dns").split()


def client_dhcp_addrs(lab):
    """Every address the last client_dhclient was given (a server may give several)."""
    f = lab.tmp / "client-dh6.addrs"
    return f.read_text().split() if f.exists() else []


def client_default_route6(lab):
    return ns_exec(lab.lan, "ip", "-6", "route", "show", "default").stdout


def ping6(lab, ns, addr, src=None):
    argv = ["ping", "-6", "-n", "-c", "1", "-W", "2"]
    if src:
        argv += ["-I", src]
    return ns_exec(ns, *argv, addr, timeout=10)


def tcp6(lab, ns, host, port, src=None, wait=2):
    argv = ["nc", "-6", "-n", "-w", str(wait)]
    if src:
        argv += ["-s", src]
    return ns_exec(ns, *argv, host, str(port), timeout=wait + 8)
