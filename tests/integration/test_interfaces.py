"""
Custom interfaces (Network Settings › Interfaces) on real links: an
interface gets its address and its link up, a new address replaces the old
one, a removed interface is left without address and down, and a device
the LAN takes over in the same change stays up as a bridge member. The
routes lab (lab_routes.py) gives the router the spare links wan1 (to a
second upstream) and lan1 (to a second client).
"""

from conftest import LAN_ADDR, describe, ns_exec, wait_for
from lab_routes import CLIENT2_ADDR, UP2_ADDR, ip_json, routes_lab


def addrs_of(lab, dev):
    return ["%s/%s" % (a["local"], a["prefixlen"])
            for link in ip_json(lab, "-4", "addr", "show", "dev", dev)
            for a in link.get("addr_info", [])]


def link_of(lab, dev):
    return ip_json(lab, "link", "show", "dev", dev)[0]


def test_custom_interface_lifecycle(lab):
    routes_lab(lab)
    d = lab.daemon
    d.ctl_ok("add", "interfaces.custom", "name=uplink2", "device=wan1", "zone=wan",
             "ipv4_address=203.0.113.2/24", "ipv4_gateway=203.0.113.1")
    d.ctl_ok("apply")
    assert addrs_of(lab, "wan1") == ["203.0.113.2/24"]
    assert link_of(lab, "wan1")["operstate"] in ("UP", "UNKNOWN")
    cp = ns_exec(lab.router, "ping", "-c", "1", "-W", "2", UP2_ADDR)
    assert cp.returncode == 0, describe(cp)

    # a new address replaces the old one
    d.ctl_ok("set", "interfaces.custom[1].ipv4_address", "203.0.113.3/24")
    d.ctl_ok("apply")
    assert addrs_of(lab, "wan1") == ["203.0.113.3/24"]

    # removed: no address, link down
    d.ctl_ok("delete", "interfaces.custom[1]")
    d.ctl_ok("apply")
    assert addrs_of(lab, "wan1") == []
    assert "UP" not in link_of(lab, "wan1")["flags"]


def test_lan_takes_over_the_device(lab):
    routes = routes_lab(lab)
    d = lab.daemon
    # lan1 first carries a network of its own
    d.ctl_ok("add", "interfaces.custom", "name=dmz", "device=lan1", "zone=lan",
             "ipv4_address=10.5.0.1/24")
    d.ctl_ok("apply")
    assert addrs_of(lab, "lan1") == ["10.5.0.1/24"]

    # one change: the interface goes, the LAN bridges lan1 in
    d.ctl_ok("delete", "interfaces.custom[1]")
    routes.bridge_client2()
    d.ctl_ok("apply")
    link = link_of(lab, "lan1")
    assert link.get("master") == "br-lan", link
    assert "UP" in link["flags"], link
    assert addrs_of(lab, "lan1") == []
    # the second client reaches the router through the bridge
    wait_for(lambda: ns_exec(routes.client2, "ping", "-c", "1", "-W", "1", LAN_ADDR).returncode == 0,
             10, what="%s to reach %s through lan1" % (CLIENT2_ADDR, LAN_ADDR))
