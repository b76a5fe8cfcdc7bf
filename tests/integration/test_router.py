"""
difos as a router: DHCP on the LAN, DNS, NAT to the WAN, and the firewall.

Tests using `shared_lab` share one lab and one difosd for this module and
must not change the configuration; tests that change it use a fresh `lab`.
"""

import ipaddress
import json
import re
import time

from conftest import (CLIENT_MAC, LAN_ADDR, POOL_FIRST, POOL_LAST, WAN_SERVER, describe,
                      dicts_with_value, ns_exec, wait_for)


def assert_pool_lease(lab, env):
    ip = ipaddress.IPv4Address(env["ip"])
    assert POOL_FIRST <= ip <= POOL_LAST, "address %s is outside the pool %s..%s" % (
        ip, POOL_FIRST, POOL_LAST)
    assert env["router"].split() == [LAN_ADDR], "router option: %r" % env["router"]
    assert env["dns"].split() == [LAN_ADDR], "dns-server option: %r" % env["dns"]
    assert env["mask"] == "24", "netmask: /%s" % env["mask"]
    assert str(ip) in lab.client_addrs(), "the address is not configured on the client"


# 1 -------------------------------------------------------------------------

def test_lan_client_gets_pool_address(shared_lab):
    env = shared_lab.client_dhcp_ok()
    assert_pool_lease(shared_lab, env)


# 2 -------------------------------------------------------------------------

def lease_entries_for(lab, mac):
    """Active lease records naming mac (configured static leases do not count)."""
    data = lab.daemon.ctl_json("leases")
    if isinstance(data, dict) and "active" in data:
        data = data["active"]
    return dicts_with_value(data, lambda v: v.lower() == mac.lower())


def test_static_lease(lab):
    d = lab.daemon
    # first an ordinary pool lease
    env = lab.client_dhcp_ok()
    assert_pool_lease(lab, env)

    cp = d.ctl_ok("add", "dhcp.static_leases", "mac=" + CLIENT_MAC, "ip=192.168.1.50",
                  "hostname=printer")
    assert re.search(r"\d", cp.stdout), "add printed no id: %r" % cp.stdout
    d.ctl_ok("apply")

    # the next DHCP request gets the fixed address
    env = lab.client_dhcp_ok()
    assert env["ip"] == "192.168.1.50", "static lease not honoured: got %s" % env["ip"]
    assert env["router"].split() == [LAN_ADDR]
    assert "192.168.1.50" in lab.client_addrs()

    # and "leases" lists the active lease with that MAC
    entries = wait_for(lambda: [e for e in lease_entries_for(lab, CLIENT_MAC)
                                if "192.168.1.50" in json.dumps(e)],
                       5, what=lambda: "difosctl --json leases to list %s with 192.168.1.50; "
                       "it shows %s" % (CLIENT_MAC, json.dumps(d.ctl_json("leases"))))
    assert entries


# 3 -------------------------------------------------------------------------

def test_dns_router_name_and_forwarding(shared_lab):
    lab = shared_lab
    lab.client_dhcp_ok()
    # the router's own name
    wait_for(lambda: lab.resolve("difos.lan") == [LAN_ADDR], 10,
             what=lambda: "difos.lan -> %s (got %r)" % (LAN_ADDR, lab.dig("difos.lan")[1]))
    assert lab.resolve("difos") == [LAN_ADDR], describe(lab.dig("difos")[0])
    # forwarding to the WAN-provided DNS server: a TXT record passes through
    def txt():
        return ns_exec(lab.lan, "dig", "+short", "+time=1", "+tries=1", "@" + LAN_ADDR,
                       "TXT", "upstream.test", timeout=5).stdout.strip()
    wait_for(lambda: txt() == '"from-the-wan"', 10,
             what=lambda: "TXT upstream.test through the router; last answer: %r" % txt())
    # rebind protection (on by default) drops the upstream's answer that points
    # into a reserved range (198.51.100.0/24 counts as one for dnsmasq)
    assert lab.resolve("upstream.test") == [], "rebind protection let a reserved address through"


def test_dns_configured_hostname(lab):
    d = lab.daemon
    lab.client_static("192.168.1.20")
    wait_for(lambda: lab.resolve("difos.lan") == [LAN_ADDR], 10, what="DNS on the LAN")
    assert lab.resolve("nas.lan") == [], "nas.lan resolves before it is configured"
    assert lab.resolve("nas") == []

    d.ctl_ok("add", "dhcp.hostnames", "name=nas", "ip=192.168.1.10")
    d.ctl_ok("apply")
    wait_for(lambda: lab.resolve("nas.lan") == ["192.168.1.10"], 5,
             what=lambda: "nas.lan -> 192.168.1.10 (got %r)" % (lab.dig("nas.lan")[1],))
    assert lab.resolve("nas") == ["192.168.1.10"], describe(lab.dig("nas")[0])
    assert lab.resolve("difos.lan") == [LAN_ADDR]


def test_dns_router_rename(lab):
    d = lab.daemon
    lab.client_static("192.168.1.20")
    wait_for(lambda: lab.resolve("difos.lan") == [LAN_ADDR], 10, what="DNS on the LAN")
    assert lab.resolve("gw1.lan") == []

    d.ctl_ok("set", "system.hostname", "gw1")
    d.ctl_ok("apply")
    wait_for(lambda: lab.resolve("gw1.lan") == [LAN_ADDR], 5,
             what=lambda: "gw1.lan -> %s (got %r)" % (LAN_ADDR, lab.dig("gw1.lan")[1]))
    assert lab.resolve("gw1") == [LAN_ADDR]


# 4 -------------------------------------------------------------------------

def test_wan_dhcp_and_nat(shared_lab):
    lab = shared_lab
    wan_addr = lab.router_wan_addr
    assert wan_addr and wan_addr.startswith("198.51.100.")

    data = lab.daemon.ctl_json("interfaces")
    wan = dicts_with_value(data, lambda v: v == "wan0")
    assert wan, "difosctl --json interfaces does not show wan0: %s" % json.dumps(data)
    shown = set(re.findall(r"198\.51\.100\.\d+", json.dumps(wan)))
    assert wan_addr in shown, "interfaces shows wan0 with %s, the router has %s" % (
        sorted(shown), wan_addr)

    lab.client_dhcp_ok()
    rc, out = lab.tcp(lab.lan, WAN_SERVER, 8080)
    assert out.strip() == wan_addr, (
        "the WAN server saw %r (nc rc=%d); expected the router's WAN address %s (masquerade)"
        % (out.strip(), rc, wan_addr))


# 5 -------------------------------------------------------------------------

def timed(fn):
    t = time.monotonic()
    r = fn()
    return r, time.monotonic() - t


def test_wan_cannot_reach_lan_or_router(shared_lab):
    lab = shared_lab
    env = lab.client_dhcp_ok()
    client = env["ip"]
    wan_addr = lab.router_wan_addr

    # a listener on the client; it works from the client itself
    listener = lab.spawn("lan-listener", lab.lan, ["/usr/bin/python3",
                                                   str(lab.tmp / "tcpserver.py"), "0.0.0.0", "9000"])
    try:
        check_wan_blocked(lab, client, wan_addr)
    finally:
        lab.stop_proc(listener)


def check_wan_blocked(lab, client, wan_addr):
    wait_for(lambda: lab.tcp(lab.lan, client, 9000, wait=1)[1].strip() == client, 10,
             what="the listener on the lan client")

    # the wan side has a route to the LAN through the router, and the
    # router answers ICMP echo on its WAN address
    route = ns_exec(lab.wan, "ip", "route", "get", client).stdout
    assert "via %s" % wan_addr in route, "wan ns has no route to the LAN: %r" % route
    cp = ns_exec(lab.wan, "ping", "-c", "1", "-W", "2", wan_addr, timeout=10)
    assert cp.returncode == 0, "ICMP echo to the router's WAN address fails: %s" % describe(cp)

    # WAN -> LAN client: dropped
    (rc, out), took = timed(lambda: lab.tcp(lab.wan, client, 9000, wait=2))
    assert rc != 0 and not out.strip(), "the WAN reached the LAN client's port 9000 (rc=%d, %r)" % (
        rc, out)
    assert took >= 1.5, "connection failed after %.1fs: rejected/unreachable, not dropped" % took

    # WAN -> router's LAN-side DNS (UDP and TCP): dropped
    assert lab.resolve("difos.lan", ns=lab.lan) == [LAN_ADDR]        # control: LAN is served
    cp, answers = lab.dig("difos.lan", ns=lab.wan, server=LAN_ADDR)
    assert answers == [] and cp.returncode != 0, \
        "dig @%s from the WAN got an answer: %s" % (LAN_ADDR, describe(cp))
    assert "timed out" in cp.stdout + cp.stderr or "no servers could be reached" in cp.stdout, \
        "dig from the WAN did not time out: %s" % describe(cp)

    assert ns_exec(lab.lan, "nc", "-z", "-w", "2", LAN_ADDR, "53",
                   timeout=10).returncode == 0                          # control
    cp, took = timed(lambda: ns_exec(lab.wan, "nc", "-z", "-n", "-w", "2", LAN_ADDR, "53",
                                     timeout=10))
    assert cp.returncode != 0, "the WAN connected to TCP %s:53" % LAN_ADDR
    assert took >= 1.5, "TCP %s:53 from the WAN failed after %.1fs, not dropped: %s" % (
        LAN_ADDR, took, describe(cp))

    # nor the router's WAN address
    cp, answers = lab.dig("difos.lan", ns=lab.wan, server=wan_addr)
    assert answers == [] and cp.returncode != 0, \
        "dig @%s (router WAN) got an answer: %s" % (wan_addr, describe(cp))


def test_wan_device_down_and_up_gets_its_default_route_back(lab):
    """Taking the WAN's device down drops the routes through it; up again, the
    default route from the lease is back at once, not at the DHCP client's
    next renewal (half the lease away), and the LAN reaches the WAN."""
    lab.wait_router_wan()
    lab.client_static("192.168.1.20")

    def default_via():
        cp = ns_exec(lab.router, "ip", "-4", "route", "show", "default", timeout=5)
        return cp.stdout.strip()
    assert "via " + WAN_SERVER in default_via()
    ns_exec(lab.router, "ip", "link", "set", "wan0", "down", check=True)
    wait_for(lambda: default_via() == "", 5, what="the default route gone with the link")
    ns_exec(lab.router, "ip", "link", "set", "wan0", "up", check=True)
    wait_for(lambda: "via %s dev wan0" % WAN_SERVER in default_via(), 3,
             what=lambda: "the default route back: %r" % default_via())
    rc, out = lab.tcp(lab.lan, WAN_SERVER, 8080)
    assert rc == 0 and out.strip() == lab.router_wan_ipv4(), (rc, out)
