"""
The firewall with real packets: every example of the manual's firewall
chapter, NAT rules, hijacked DNS, country aliases fed by the update
command, element-only updates of alias sets, and bad input.

Lab: the WAN namespace (198.51.100.1) plays the internet, the LAN client
namespace a LAN host; the router namespace runs difosd.
"""

import json
import sqlite3
import zlib

from conftest import LAN_ADDR, WAN_SERVER, describe, ns_exec, wait_for
from lab_fw import (add_lan_host, connects, ctl_fails, http_server, map_elements, nft_handles, probe,
                    router_wan_mac, serve, set_elements, setup_wan_ipv6, staged, tcp_outcome, wait_reachable,
                    wan_extra_address)


def apply(d):
    d.ctl_ok("apply", timeout=60)


def router_wan(lab):
    return lab.wait_router_wan()


# -- the manual's examples ------------------------------------------------

def test_port_forward_2525(lab):
    """WAN port 2525 forwarded to the HTTP server at 192.168.1.143:2525."""
    d = lab.daemon
    wan_ip = router_wan(lab)
    lab.client_static("192.168.1.143")
    serve(lab, lab.lan, "tcp", "0.0.0.0", 2525)
    # LAN -> WAN works, WAN -> LAN is blocked: without the forward nothing answers
    assert probe(lab, lab.wan, "tcp", wan_ip, 2525) is None, "port 2525 open without a forward"
    d.ctl_ok("add", "firewall.port_forwards", "description=HTTP server", "proto=tcp",
             "wan_port=2525", "lan_ip=192.168.1.143")
    apply(d)
    seen = wait_reachable(lab, lab.wan, "tcp", wan_ip, 2525)
    assert seen == WAN_SERVER, "the LAN server saw %r, not the WAN peer" % seen
    # only TCP was forwarded
    serve(lab, lab.lan, "udp", "0.0.0.0", 2525)
    assert probe(lab, lab.wan, "udp", wan_ip, 2525) is None, "UDP 2525 forwarded too"
    # the LAN host itself is still not reachable directly from the WAN
    assert probe(lab, lab.wan, "tcp", "192.168.1.143", 2525) is None


def test_port_forward_reflection(lab):
    """A LAN client reaches a forward through the router's WAN address."""
    d = lab.daemon
    wan_ip = router_wan(lab)
    lab.client_static("192.168.1.20")
    server = add_lan_host(lab, "192.168.1.143")
    serve(lab, server, "tcp", "0.0.0.0", 2525)
    d.ctl_ok("add", "firewall.port_forwards", "proto=tcp", "wan_port=2525",
             "lan_ip=192.168.1.143")
    apply(d)
    # the reflected connection is masqueraded so the answer comes back
    # through the router
    seen = wait_reachable(lab, lab.lan, "tcp", wan_ip, 2525)
    assert seen == LAN_ADDR, "reflected connection seen from %r" % seen
    d.ctl_ok("set", "firewall.port_forwards[1].reflection", "false")
    apply(d)
    assert probe(lab, lab.lan, "tcp", wan_ip, 2525) is None, "reflection still on"


def test_sip_rtp_rule(lab):
    """6067/udp, 6068/tcp, 6069/tcp and 20000-30000/udp open to the router."""
    d = lab.daemon
    wan_ip = router_wan(lab)
    serve(lab, lab.router, "udp", "0.0.0.0", 6067, 25000, 30001)
    serve(lab, lab.router, "tcp", "0.0.0.0", 6067, 6068, 6069)
    for proto, port in (("udp", 6067), ("tcp", 6068), ("tcp", 6069), ("udp", 25000)):
        assert probe(lab, lab.wan, proto, wan_ip, port) is None, "%s/%s open already" % (port, proto)
    d.ctl_ok("add", "firewall.rules", "description=SIP and RTP", "proto=tcpudp",
             "src_zone=wan", "dest_zone=router",
             "dest_ports=6067/udp,6068/tcp,6069/tcp,20000-30000/udp", "action=accept")
    apply(d)
    for proto, port in (("udp", 6067), ("tcp", 6068), ("tcp", 6069), ("udp", 25000)):
        assert wait_reachable(lab, lab.wan, proto, wan_ip, port) == WAN_SERVER
    # exactly those: 6067 over TCP and 30001 over UDP stay closed
    assert probe(lab, lab.wan, "tcp", wan_ip, 6067) is None, "6067/tcp opened"
    assert probe(lab, lab.wan, "udp", wan_ip, 30001) is None, "30001/udp opened"


def test_remote_admin_through_http_ports_alias(lab):
    """The "HTTP" ports alias (80, 443) opens the router's web GUI to the WAN."""
    d = lab.daemon
    wan_ip = router_wan(lab)
    serve(lab, lab.router, "tcp", "0.0.0.0", 8080)
    # difosd-web listens on 443 in the router; the WAN cannot reach it yet
    assert not connects(lab, lab.wan, wan_ip, 443), "443 open to the WAN by default"
    d.ctl_ok("add", "firewall.port_aliases", "name=HTTP", "ports=80,443")
    d.ctl_ok("add", "firewall.rules", "description=Remote administration", "proto=tcp",
             "src_zone=wan", "dest_zone=router", "dest_ports=HTTP", "action=accept")
    apply(d)
    wait_for(lambda: connects(lab, lab.wan, wan_ip, 443), 10, what="the GUI port from the WAN")
    assert probe(lab, lab.wan, "tcp", wan_ip, 8080) is None, "8080 is not in the alias"
    # the alias's contents change by element: the rules stay as they were
    before = nft_handles(lab, "input_wan")
    d.ctl_ok("set", "firewall.port_aliases[1].ports", "80,443,8080")
    apply(d)
    assert wait_reachable(lab, lab.wan, "tcp", wan_ip, 8080) == WAN_SERVER
    assert nft_handles(lab, "input_wan") == before, "the chain was reloaded for an element change"


def test_vps_aliases_ipv4_and_ipv6(lab):
    """The manual's three VPS as an IPv4 and an IPv6 alias, used in rules."""
    d = lab.daemon
    wan_ip = router_wan(lab)
    r6, peer6 = setup_wan_ipv6(lab)
    outsider = wan_extra_address(lab, "198.51.100.9")
    serve(lab, lab.router, "tcp", "0.0.0.0", 8443)
    serve(lab, lab.router, "tcp", "::", 8443, name="router-tcp6-8443")
    d.ctl_ok("add", "firewall.ip_aliases", "name=vps4",
             "addresses=67.21.121.241/32,68.21.121.242/32,69.21.121.243/32," + WAN_SERVER + "/32")
    d.ctl_ok("add", "firewall.ip_aliases", "name=vps6",
             "addresses=2a01:4f9:c012:623e::123/128,2a01:4f9:c012:623e::456/128,"
             "2a01:4f9:c012:623e::789/128," + peer6 + "/128")
    d.ctl_ok("add", "firewall.rules", "description=VPS", "proto=tcp", "src_zone=wan",
             "dest_zone=router", "src=vps4,vps6", "dest_ports=8443", "action=accept")
    assert probe(lab, lab.wan, "tcp", wan_ip, 8443) is None
    apply(d)
    assert wait_reachable(lab, lab.wan, "tcp", wan_ip, 8443) == WAN_SERVER
    assert wait_reachable(lab, lab.wan, "tcp", r6, 8443) == peer6
    # a source outside the alias stays out
    assert probe(lab, lab.wan, "tcp", wan_ip, 8443, src=outsider) is None
    # the set holds what the user wrote, nothing else
    elems = set_elements(lab, "a4_vps4")
    assert len(elems) == 4, elems
    # and adding the outsider to the alias lets it in without reloading rules
    before = nft_handles(lab, "input_wan")
    cp = d.ctl_json("get", "firewall.ip_aliases[1].addresses")
    addrs = cp if isinstance(cp, list) else cp.get("value", cp)
    d.ctl_ok("set", "firewall.ip_aliases[1].addresses", ",".join(addrs + [outsider]))
    apply(d)
    assert wait_reachable(lab, lab.wan, "tcp", wan_ip, 8443, src=outsider) == outsider
    assert nft_handles(lab, "input_wan") == before
    # and taken out again, by element too
    d.ctl_ok("set", "firewall.ip_aliases[1].addresses", ",".join(addrs))
    apply(d)
    assert probe(lab, lab.wan, "tcp", wan_ip, 8443, src=outsider) is None, "removed, still in"
    assert wait_reachable(lab, lab.wan, "tcp", wan_ip, 8443) == WAN_SERVER
    assert nft_handles(lab, "input_wan") == before
    # removing the rule and the aliases removes their sets; the WAN is closed again
    d.ctl_ok("delete", "firewall.rules[1]")
    d.ctl_ok("delete", "firewall.ip_aliases[1]")
    d.ctl_ok("delete", "firewall.ip_aliases[2]")
    apply(d)
    cp = ns_exec(lab.router, "nft", "list", "sets", "table", "inet", "difos", timeout=20)
    assert "a4_vps4" not in cp.stdout and "a6_vps6" not in cp.stdout, cp.stdout
    assert probe(lab, lab.wan, "tcp", wan_ip, 8443) is None, "the rule outlived its removal"
    # every one of these changes was applied as a change, not by a reload
    assert "loading the whole ruleset" not in d.log_tail(2000), d.log_tail(40)


def lan_ipv6(lab):
    """IPv6 on both sides: the LAN host holds 2001:db8:1::10 and ::11, the
    WAN routes 2001:db8:1::/64 to the router. Returns (router's WAN
    address, the WAN peer's address)."""
    r6, peer6 = setup_wan_ipv6(lab)
    ns_exec(lab.router, "ip", "-6", "addr", "add", "2001:db8:1::1/64", "dev", "br-lan", "nodad",
            check=True)
    ns_exec(lab.lan, "ip", "-6", "addr", "add", "2001:db8:1::10/64", "dev", "eth0", "nodad",
            check=True)
    ns_exec(lab.lan, "ip", "-6", "addr", "add", "2001:db8:1::11/64", "dev", "eth0", "nodad",
            check=True)
    ns_exec(lab.lan, "ip", "-6", "route", "replace", "default", "via", "2001:db8:1::1",
            check=True)
    ns_exec(lab.wan, "ip", "-6", "route", "replace", "2001:db8:1::/64", "via", r6, check=True)
    return r6, peer6


def test_all_traffic_to_one_ipv6_host(lab):
    """A rule that lets all traffic through to one IPv6 address on the LAN."""
    d = lab.daemon
    r6, peer6 = lan_ipv6(lab)
    serve(lab, lab.lan, "tcp", "::", 9000, name="lan-tcp6")
    assert probe(lab, lab.wan, "tcp", "2001:db8:1::10", 9000) is None, "WAN -> LAN open by default"
    d.ctl_ok("add", "firewall.rules", "description=All traffic to one IPv6 host", "family=ipv6",
             "src_zone=wan", "dest_zone=lan", "dest=2001:db8:1::10", "action=accept")
    apply(d)
    assert wait_reachable(lab, lab.wan, "tcp", "2001:db8:1::10", 9000) == peer6
    assert probe(lab, lab.wan, "tcp", "2001:db8:1::11", 9000) is None, "the rule opened the neighbour"


def test_host_port_rules_change_as_map_elements(lab):
    """Consecutive "port P on host H" rules are one verdict map: changing
    one rule's port changes the map's elements, not the chain, and the
    packets follow at once."""
    d = lab.daemon
    r6, peer6 = lan_ipv6(lab)
    serve(lab, lab.lan, "tcp", "::", 9000, 9001, 9002, name="lan-tcp6-points")
    d.ctl_ok("add", "firewall.rules", "description=web", "proto=tcp", "src_zone=wan",
             "dest_zone=lan", "dest=2001:db8:1::10", "dest_ports=9000", "action=accept")
    d.ctl_ok("add", "firewall.rules", "description=api", "proto=tcp", "src_zone=wan",
             "dest_zone=lan", "dest=2001:db8:1::11", "dest_ports=9001", "action=accept")
    d.ctl_ok("add", "firewall.rules", "description=closed", "proto=tcp", "src_zone=wan",
             "dest_zone=lan", "dest=2001:db8:1::10", "dest_ports=9002", "action=drop")
    apply(d)
    assert wait_reachable(lab, lab.wan, "tcp", "2001:db8:1::10", 9000) == peer6
    assert wait_reachable(lab, lab.wan, "tcp", "2001:db8:1::11", 9001) == peer6
    assert probe(lab, lab.wan, "tcp", "2001:db8:1::10", 9001) is None, "a port opened on the wrong host"
    assert probe(lab, lab.wan, "tcp", "2001:db8:1::10", 9002) is None, "the drop rule let it in"
    elems = map_elements(lab, "v_forward_wan_lan_1")
    assert len(elems) == 3, elems
    before = nft_handles(lab, "forward_wan_lan")
    element_only = "1 set(s) updated by element, 0 byte(s) of ruleset changes"
    seen = d.log_tail(100000).count(element_only)
    d.ctl_ok("set", "firewall.rules[2].dest_ports", "9002")
    apply(d)
    assert wait_reachable(lab, lab.wan, "tcp", "2001:db8:1::11", 9002) == peer6
    assert probe(lab, lab.wan, "tcp", "2001:db8:1::11", 9001) is None, "the old port stayed open"
    assert wait_reachable(lab, lab.wan, "tcp", "2001:db8:1::10", 9000) == peer6
    assert nft_handles(lab, "forward_wan_lan") == before, "the chain was reloaded for a port change"
    assert d.log_tail(100000).count(element_only) == seen + 1, d.log_tail(40)
    # a verdict that jumps: dropped becomes rejected, by element too
    assert tcp_outcome(lab, lab.wan, "2001:db8:1::10", 9002) == "silent"
    d.ctl_ok("set", "firewall.rules[3].action", "reject")
    apply(d)
    assert tcp_outcome(lab, lab.wan, "2001:db8:1::10", 9002) == "refused"
    assert nft_handles(lab, "forward_wan_lan") == before
    assert d.log_tail(100000).count(element_only) == seen + 2, d.log_tail(40)
    # the first rule for a key decides, as in order: a later accept of
    # the rejected key does not open it
    d.ctl_ok("add", "firewall.rules", "description=late", "proto=tcp", "src_zone=wan",
             "dest_zone=lan", "dest=2001:db8:1::10", "dest_ports=9002", "action=accept")
    apply(d)
    assert tcp_outcome(lab, lab.wan, "2001:db8:1::10", 9002) == "refused", "a later rule overrode an earlier one"


def test_ipv4_host_port_rule_changes_by_element(lab):
    """The same with IPv4 hosts: the map's keys are address . protocol .
    port, and a port change reaches the kernel as elements."""
    d = lab.daemon
    wan_ip = router_wan(lab)
    lab.client_static("192.168.1.143")
    ns_exec(lab.wan, "ip", "route", "replace", "192.168.1.0/24", "via", wan_ip, check=True)
    serve(lab, lab.lan, "tcp", "0.0.0.0", 7000, 7001, 7002)
    serve(lab, lab.lan, "udp", "0.0.0.0", 7000)
    assert probe(lab, lab.wan, "tcp", "192.168.1.143", 7000) is None, "WAN -> LAN open by default"
    d.ctl_ok("add", "firewall.rules", "description=one", "proto=tcpudp", "src_zone=wan",
             "dest_zone=lan", "dest=192.168.1.143", "dest_ports=7000", "action=accept")
    d.ctl_ok("add", "firewall.rules", "description=two", "proto=tcp", "src_zone=wan",
             "dest_zone=lan", "dest=192.168.1.143", "dest_ports=7001", "action=accept")
    apply(d)
    assert wait_reachable(lab, lab.wan, "tcp", "192.168.1.143", 7000) == WAN_SERVER
    assert wait_reachable(lab, lab.wan, "udp", "192.168.1.143", 7000) == WAN_SERVER
    assert wait_reachable(lab, lab.wan, "tcp", "192.168.1.143", 7001) == WAN_SERVER
    assert probe(lab, lab.wan, "tcp", "192.168.1.143", 7002) is None
    assert len(map_elements(lab, "v_forward_wan_lan_1")) == 3
    before = nft_handles(lab, "forward_wan_lan")
    d.ctl_ok("set", "firewall.rules[2].dest_ports", "7002")
    apply(d)
    assert wait_reachable(lab, lab.wan, "tcp", "192.168.1.143", 7002) == WAN_SERVER
    assert probe(lab, lab.wan, "tcp", "192.168.1.143", 7001) is None, "the old port stayed open"
    assert nft_handles(lab, "forward_wan_lan") == before, "the chain was reloaded for a port change"
    assert "loading the whole ruleset" not in d.log_tail(2000), d.log_tail(40)


def test_country_alias_from_update(lab, tmp_path):
    """A country alias: empty until fetched, then blocking the listed source."""
    d = lab.daemon
    wan_ip = router_wan(lab)
    lists = tmp_path / "lists"
    lists.mkdir()
    # a fixture in the format the update reads: one CIDR per line
    (lists / "af.v4.zone").write_text("# fixture list\n198.51.100.0/25\n203.0.113.0/24\n")
    (lists / "af.v6.zone").write_text("2001:db8:ff00::/40\n")
    http_server(lab, lab.wan, WAN_SERVER, 8088, lists)
    serve(lab, lab.router, "tcp", "0.0.0.0", 8443)
    d.ctl_ok("set", "firewall.lists_url_v4", "http://%s:8088/{cc}.v4.zone" % WAN_SERVER)
    d.ctl_ok("set", "firewall.lists_url_v6", "http://%s:8088/{cc}.v6.zone" % WAN_SERVER)
    d.ctl_ok("add", "firewall.ip_aliases", "name=blocked", "type=automated", "countries=af")
    d.ctl_ok("add", "firewall.rules", "description=Block listed countries", "src_zone=wan",
             "dest_zone=router", "src=blocked", "action=drop")
    d.ctl_ok("add", "firewall.rules", "proto=tcp", "src_zone=wan", "dest_zone=router",
             "dest_ports=8443", "action=accept")
    apply(d)
    # never fetched: the alias is empty and blocks nothing
    assert set_elements(lab, "a4_blocked") == []
    assert wait_reachable(lab, lab.wan, "tcp", wan_ip, 8443) == WAN_SERVER
    before = nft_handles(lab, "input_wan")
    res = d.ctl_json("update-lists")
    assert res.get("applied") is True, res
    got = {(u["country"], u["family"]): u["entries"] for u in res["updated"]}
    assert got == {("af", 4): 2, ("af", 6): 1}, res
    assert len(set_elements(lab, "a4_blocked")) == 2
    assert probe(lab, lab.wan, "tcp", wan_ip, 8443) is None, "the listed source still gets in"
    assert nft_handles(lab, "input_wan") == before, "the update reloaded the rules"
    # a source outside the list still gets in
    other = wan_extra_address(lab, "198.51.100.200")
    assert wait_reachable(lab, lab.wan, "tcp", wan_ip, 8443, src=other) == other
    # the list's status is visible
    countries = {c["code"]: c for c in d.ctl_json("countries")["countries"]}
    assert countries["af"]["v4"]["entries"] == 2 and countries["af"]["name"] == "Afghanistan"
    assert countries["kp"]["v4"] is None, "a never-fetched list must show as absent"


# -- NAT and DNS ----------------------------------------------------------

def test_snat_rule_changes_source_seen_upstream(lab):
    d = lab.daemon
    wan_ip = router_wan(lab)
    lab.client_static("192.168.1.20")
    assert lab.tcp(lab.lan, WAN_SERVER, 8080)[1].strip() == wan_ip
    # the upstream delivers the SNAT address to the router
    ns_exec(lab.wan, "ip", "neigh", "replace", "198.51.100.77", "lladdr", router_wan_mac(lab),
            "dev", "eth0", check=True)
    d.ctl_ok("add", "firewall.nat", "description=Office SNAT", "type=snat", "family=ipv4",
             "src=192.168.1.0/24", "snat_address=198.51.100.77")
    apply(d)
    wait_for(lambda: lab.tcp(lab.lan, WAN_SERVER, 8080)[1].strip() == "198.51.100.77", 10,
             what=lambda: "the WAN server to see 198.51.100.77 (saw %r)" %
             lab.tcp(lab.lan, WAN_SERVER, 8080)[1])


def test_masquerade_rule_ipv6(lab):
    """An IPv6 masquerade rule: the LAN's ULA leaves with the WAN address."""
    d = lab.daemon
    r6, peer6 = setup_wan_ipv6(lab)
    ns_exec(lab.router, "ip", "-6", "addr", "add", "fd00:1::1/64", "dev", "br-lan", "nodad",
            check=True)
    ns_exec(lab.lan, "ip", "-6", "addr", "add", "fd00:1::20/64", "dev", "eth0", "nodad", check=True)
    ns_exec(lab.lan, "ip", "-6", "route", "replace", "default", "via", "fd00:1::1", check=True)
    ns_exec(lab.router, "ip", "-6", "route", "replace", "default", "via", peer6, check=True)
    serve(lab, lab.wan, "tcp", "::", 9100, name="wan-tcp6")
    d.ctl_ok("add", "firewall.nat", "type=masquerade", "family=ipv6", "src=fd00:1::/64")
    apply(d)
    assert wait_reachable(lab, lab.lan, "tcp", peer6, 9100) == r6


def test_hijack_dns(lab):
    d = lab.daemon
    lab.client_static("192.168.1.20")
    foreign = "198.51.100.53"   # no resolver there

    def ask():
        cp = ns_exec(lab.lan, "dig", "+short", "+time=1", "+tries=1", "@" + foreign, "difos.lan",
                     timeout=6)
        return cp.stdout.strip()
    assert ask() == "" or "timed out" in ask(), "a foreign resolver answered without hijack"
    d.ctl_ok("set", "dns.hijack", "true")
    apply(d)
    # the router's own resolver answers (only it knows difos.lan)
    wait_for(lambda: ask() == LAN_ADDR, 10, what=lambda: "hijacked answer (got %r)" % ask())


# -- bad input: a clear error, nothing staged ------------------------------

def test_bad_input_is_refused_and_nothing_staged(lab):
    d = lab.daemon
    d.ctl_ok("add", "firewall.port_forwards", "proto=tcp", "wan_port=2500-2600",
             "lan_ip=192.168.1.143")
    apply(d)
    assert not staged(d)
    cases = [
        (("add", "firewall.ip_aliases", "name=mixed",
          "addresses=67.21.121.241/32,2a01:4f9:c012:623e::123/128"),
         ["firewall.ip_aliases[", "addresses", "2a01:4f9:c012:623e::123/128", "never both"]),
        (("add", "firewall.rules", "src_zone=wan", "dest_zone=router", "src=nosuchalias", "action=accept"),
         ["firewall.rules[", ".src", "nosuchalias", "alias"]),
        (("add", "firewall.rules", "proto=tcp", "dest_zone=router", "dest_ports=70000", "src_zone=wan", "action=accept"),
         ["firewall.rules[", "dest_ports", "70000"]),
        (("add", "firewall.port_forwards", "proto=tcpudp", "wan_port=2525",
          "lan_ip=192.168.1.144"),
         ["firewall.port_forwards[", "wan_port", "2525", "overlaps", "2500-2600"]),
        (("add", "firewall.port_forwards", "proto=tcp", "wan_port=2700", "lan_ip=8.8.8.8"),
         ["firewall.port_forwards[", "lan_ip", "8.8.8.8", "outside the LAN 192.168.1.0/24"]),
        (("add", "firewall.port_forwards", "proto=tcp", "wan_port=2700", "lan_ip=192.168.1.1"),
         ["firewall.port_forwards[", "lan_ip", "192.168.1.1", "the router's own address"]),
        (("add", "firewall.ip_aliases", "name=1st-office", "addresses=10.0.0.0/8"),
         ["firewall.ip_aliases[", ".name", "1st-office",
          "is not an alias name: a letter, then letters, digits or _"]),
        (("add", "firewall.ip_aliases", "name=badnet", "addresses=10.1.2.3/8"),
         ["addresses", "10.1.2.3/8", "10.0.0.0/8"]),
        (("add", "firewall.nat", "type=snat", "family=ipv4", "snat_address=2001:db8::1"),
         ["snat_address", "2001:db8::1"]),
    ]
    for argv, words in cases:
        out = ctl_fails(d, *argv)
        for w in words:
            assert w in out, "error for %s lacks %r:\n%s" % (argv, w, out)
        assert not staged(d), "a refused change was staged: %s" % (staged(d),)


def test_list_update_runs_in_the_background(lab):
    """A slow list server does not stall the daemon: it keeps answering."""
    import time
    d = lab.daemon
    hang = lab.tmp / "hang.py"
    hang.write_text("import socket, time\ns = socket.socket()\n"
                    "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                    "s.bind(('%s', 8099)); s.listen(8)\nconns = []\n"
                    "while True:\n    conns.append(s.accept()[0])\n" % WAN_SERVER)
    lab.spawn("hang", lab.wan, ["/usr/bin/python3", str(hang)])
    wait_for(lambda: "8099" in ns_exec(lab.wan, "ss", "-Hltn").stdout, 10, what="the silent server")
    d.ctl_ok("set", "firewall.lists_url_v4", "http://%s:8099/{cc}" % WAN_SERVER)
    d.ctl_ok("set", "firewall.lists_url_v6", "http://%s:8099/{cc}" % WAN_SERVER)
    apply(d)
    started = d.ctl_json("call", "firewall.update_lists", '{"countries": ["af"]}')
    assert started.get("running") is True, started
    t0 = time.monotonic()
    d.ctl_ok("status")
    assert time.monotonic() - t0 < 3, "the daemon stalled while lists download"
    assert d.ctl_json("call", "firewall.lists_status").get("running") is True


# -- a new rule says what it lets through ---------------------------------

def test_new_rule_needs_zones_and_action(lab):
    """An empty rule is refused (it used to accept everything from the WAN
    to the LAN); the error names the missing field and its choices."""
    d = lab.daemon
    out = ctl_fails(d, "add", "firewall.rules")
    assert "firewall.rules[" in out and "src_zone: is required: one of wan, lan, router, any" in out, out
    out = ctl_fails(d, "add", "firewall.rules", "src_zone=wan", "dest_zone=lan")
    assert "action: is required: one of accept, drop, reject" in out, out
    assert not staged(d), "a refused rule was staged: %s" % (staged(d),)
    # the JSON Schema says so too: no default, required
    rule = d.ctl_json("schema")["properties"]["firewall"]["properties"]["rules"]["items"]
    for k in ("src_zone", "dest_zone", "action"):
        assert k in rule["required"] and "default" not in rule["properties"][k], rule


def test_rule_stored_before_zones_were_required_keeps_its_meaning(lab):
    """A rule stored without zones and action (they had defaults then: WAN
    to LAN, accept) still loads, still opens its port, and the document
    still takes changes."""
    d = lab.daemon
    wan_ip = router_wan(lab)
    lab.client_static("192.168.1.143")
    ns_exec(lab.wan, "ip", "route", "replace", "192.168.1.0/24", "via", wan_ip, check=True)
    serve(lab, lab.lan, "tcp", "0.0.0.0", 7005)
    d.ctl_ok("add", "firewall.rules", "description=old", "proto=tcp", "src_zone=lan",
             "dest_zone=wan", "dest=192.168.1.143", "dest_ports=7005", "action=drop")
    apply(d)
    assert probe(lab, lab.wan, "tcp", "192.168.1.143", 7005) is None, "WAN -> LAN open"
    rev = d.running_rev()
    d.stop()
    # the revision as an older difosd stored it: the rule relies on the old defaults
    # (documents are kept zlib-packed behind their 4-byte length; plain text reads too)
    db = sqlite3.connect(str(d.db))
    blob = db.execute("SELECT doc FROM revision_docs WHERE id = ?", (rev,)).fetchone()[0]
    doc = json.loads(zlib.decompress(bytes(blob)[4:]) if isinstance(blob, bytes) else blob)
    rule = doc["firewall"]["rules"][0]
    for k in ("src_zone", "dest_zone", "action"):
        del rule[k]
    db.execute("UPDATE revision_docs SET doc = ? WHERE id = ?", (json.dumps(doc), rev))
    db.commit()
    db.close()
    d.start()
    r = d.ctl_json("get", "firewall.rules[%d]" % rule["id"])
    assert (r["src_zone"], r["dest_zone"], r["action"]) == ("wan", "lan", "accept"), r
    assert wait_reachable(lab, lab.wan, "tcp", "192.168.1.143", 7005) == WAN_SERVER
    # the document takes changes and applies: nothing in it is refused
    d.ctl_ok("set", "firewall.rules[%d].description" % rule["id"], "kept")
    apply(d)
    assert wait_reachable(lab, lab.wan, "tcp", "192.168.1.143", 7005) == WAN_SERVER
