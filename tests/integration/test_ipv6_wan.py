"""
The WAN's IPv6 against a real DHCPv6 server: Kea (kea-dhcp6-server) in the
WAN namespace delegates a /56 to the router's dhclient -6; the LAN takes
its first /64 and a client there gets a SLAAC address in it, reaches an
upstream host without NAT, and cannot be reached from the WAN. When Kea
delegates another prefix (restarted with another pool; the client made to
rebind), the old /64 is advertised deprecated (preferred lifetime 0) at
once and the new one advertised; the same when the prefix changed while
difosd was stopped. And the static IPv6 WAN.
"""

import os
import signal
import time

from conftest import describe, ns_exec, wait_for
from lab_ipv6 import (ISP_ADDR, ISP_DNS, TCP6_PORT, TCP6_SERVER, Isp, client_addrs6, delegated,
                      engine_pid, ping6, slaac_addr, tcp6, wait_ra, wan6_address)

LAN_PORT = 8087


def _wait_delegation(d, prefix, timeout=40):
    return wait_for(lambda: [p for p in delegated(d) if p["prefix"] == prefix], timeout,
                    what=lambda: "the WAN to be delegated %s; it holds %r\n%s" %
                    (prefix, delegated(d), d.log_tail(30)))


def _log_time(log, text, after=0.0):
    """The time stamp of the first line of difosd's log holding text (after a time)."""
    for line in log.splitlines():
        stamp = line.split(" ", 1)[0]
        if text in line and stamp.replace(".", "", 1).isdigit() and float(stamp) >= after:
            return float(stamp)
    return None


def _start(lab, pool):
    isp = Isp(lab).up()
    isp.start_kea(pool)
    d = lab.new_daemon()
    d.start()
    lab.wait_router_wan()
    return isp, d


def _rebind(d):
    """Kills the supervised dhclient: started again with its lease file, it rebinds."""
    pid = engine_pid(d, "wan", "client6")
    assert pid, "dhclient -6 is not running: %r" % d.status()
    os.kill(int(pid), signal.SIGKILL)


def test_delegated_prefix_on_the_lan_and_renumbering(bare_lab):
    lab = bare_lab
    isp, d = _start(lab, "2001:db8:100::")
    p = _wait_delegation(d, "2001:db8:100::")[0]
    assert p["length"] == 56 and 0 < p["preferred"] <= 300 and 0 < p["valid"] <= 600, p
    wan_addr = wait_for(lambda: wan6_address(d), 10, what="the WAN's DHCPv6 address")
    assert wan_addr.startswith("2001:db8:ffff::1"), wan_addr
    # the DHCPv6 DNS server joins the IPv4 one in the resolver's upstreams
    resolv = (d.root / "run/difos/wan/resolv.conf").read_text()
    assert "nameserver %s" % ISP_DNS in resolv and "nameserver 198.51.100.1" in resolv, resolv
    isp.route_to("2001:db8:100::/56", wan_addr)
    # the router's default route came from the ISP's RA (accept_ra=2 with forwarding on)
    wait_for(lambda: "default via fe80::" in ns_exec(lab.router, "ip", "-6", "route", "show",
                                                    "default").stdout, 15,
             what="an IPv6 default route on the router from the ISP's RA")

    # the LAN: its /64 of the delegation advertised with the delegated lifetimes
    cp, prefixes, _ = wait_ra(lab, lambda p, f: "2001:db8:100::" in p,
                              what="the delegated /64 advertised")
    valid, pref = prefixes["2001:db8:100::"]
    assert 0 < int(pref) <= 300 and 0 < int(valid) <= 600, cp.stdout
    addr = slaac_addr(lab, "2001:db8:100::")

    # out without NAT, from the delegated address
    assert wait_for(lambda: ping6(lab, lab.lan, ISP_ADDR, src=addr).returncode == 0, 10,
                    what="a ping from the LAN client to the ISP host")
    cp = tcp6(lab, lab.lan, ISP_ADDR, TCP6_PORT, src=addr)
    assert ("from " + addr) in cp.stdout, describe(cp)

    # the WAN cannot open a connection to the LAN client; the router itself can
    (lab.tmp / "lan-tcp6.py").write_text(TCP6_SERVER)
    lab.spawn("lan-tcp6", lab.lan, ["/usr/bin/python3", "-u", str(lab.tmp / "lan-tcp6.py"),
                                    LAN_PORT])
    wait_for(lambda: "ready" in (lab.tmp / "lan-tcp6.log").read_text(), 10,
             what="the LAN client's server")
    cp = tcp6(lab, lab.router, addr, LAN_PORT)
    assert "from " in cp.stdout, "the listener is not reachable at all: " + describe(cp)
    cp = tcp6(lab, lab.wan, addr, LAN_PORT)
    assert cp.returncode != 0 and "from " not in cp.stdout, \
        "the WAN opened a connection to a LAN host: " + describe(cp)
    # ICMPv6 echo passes (RFC 4890), connections do not
    assert ping6(lab, lab.wan, addr).returncode == 0

    # renumbering: Kea now delegates from another pool; the client rebinds
    isp.start_kea("2001:db8:200::")
    _rebind(d)
    t0 = time.monotonic()
    _wait_delegation(d, "2001:db8:200::")
    cp, prefixes, _ = wait_ra(lab, lambda p, f: p.get("2001:db8:100::", ("", ""))[1] == "0" and
                              "2001:db8:200::" in p, 10,
                              what="the old /64 deprecated and the new one advertised")
    took = time.monotonic() - t0
    valid_old = int(prefixes["2001:db8:100::"][0])
    assert 0 < valid_old <= 600, cp.stdout
    assert int(prefixes["2001:db8:200::"][1]) > 0, cp.stdout
    new = slaac_addr(lab, "2001:db8:200::")
    # the client's old address is deprecated at once: new connections use the new one
    assert wait_for(lambda: [a for a, _, _, dep in client_addrs6(lab) if a == addr and dep], 5,
                    what="the client's old address deprecated")
    isp.route_to("2001:db8:200::/56", wan_addr)
    cp = tcp6(lab, lab.lan, ISP_ADDR, TCP6_PORT)
    assert ("from " + new) in cp.stdout, describe(cp)
    print("renumbering: new prefix advertised and the old deprecated %.1f s after the rebind"
          % took)
    # from the client's report to difos-ra6 advertising the old /64 deprecated
    log = d.log.read_text()
    t_event = _log_time(log, "DHCPv6 REBIND6 prefix 2001:db8:200::/56")
    t_ra = _log_time(log, "2001:db8:100::/64 preferred 0", after=t_event)
    assert t_event and t_ra, "no event or RA line in the log"
    print("renumbering: the delegation's event to the deprecating RA: %.0f ms"
          % ((t_ra - t_event) * 1000))

    # the same across a restart of difosd: the prefix changes while it is down
    d.stop()
    isp.start_kea("2001:db8:300::")
    d.start()
    _wait_delegation(d, "2001:db8:300::")
    cp, prefixes, _ = wait_ra(lab, lambda p, f: p.get("2001:db8:200::", ("", ""))[1] == "0" and
                              "2001:db8:300::" in p and p["2001:db8:300::"][1] != "0", 15,
                              what="after the restart: the previous /64 deprecated, the new one")
    slaac_addr(lab, "2001:db8:300::")


def test_static_ipv6_wan(bare_lab):
    lab = bare_lab
    Isp(lab).up(ra=False)
    d = lab.new_daemon()
    d.start()
    d.ctl_ok("set", "wan.ipv6.address", "2001:db8:ffff::2/64")
    d.ctl_ok("set", "wan.ipv6.gateway", ISP_ADDR)
    d.ctl_ok("set", "wan.ipv6.dns", ISP_DNS)
    d.ctl_ok("set", "wan.ipv6.proto", "static")
    d.ctl_ok("apply")
    routes = ns_exec(lab.router, "ip", "-6", "route", "show", "default").stdout
    assert "default via %s dev wan0" % ISP_ADDR in routes, routes
    # (once the new address has passed duplicate address detection)
    assert wait_for(lambda: ping6(lab, lab.router, ISP_ADDR).returncode == 0, 10,
                    what="a ping from the router's static IPv6 address to the gateway")
    resolv = (d.root / "run/difos/wan/resolv.conf").read_text()
    assert "nameserver %s" % ISP_DNS in resolv, resolv
    # no DHCPv6 client in static mode
    assert not engine_pid(d, "wan", "client6")
    # back to none: the static address and route are gone
    d.ctl_ok("set", "wan.ipv6.proto", "none")
    d.ctl_ok("apply")
    assert "2001:db8:ffff::2" not in ns_exec(lab.router, "ip", "-6", "addr", "show", "dev",
                                             "wan0").stdout
    assert ISP_ADDR not in ns_exec(lab.router, "ip", "-6", "route", "show", "default").stdout
    assert ISP_DNS not in (d.root / "run/difos/wan/resolv.conf").read_text()
