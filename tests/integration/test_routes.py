"""
Routes with real packets: policy routes by source and by domain name sent
through a second uplink, static IPv4/IPv6 routes, the policy table that
follows the WAN's DHCP router, and input that is refused without staging
anything. The lab (conftest.py + lab_routes.py) gives two LAN clients and
two upstreams that serve the same addresses; the address the upstream saw
tells which uplink a connection took.
"""

import json

from conftest import describe, ns_exec, wait_for
from lab_routes import (BEHIND_UP2, CLIENT2_ADDR, ROUTER_UP2_ADDR, TARGET, TARGET_LISTED,
                        TARGET_OTHER, TARGET_SUB, UP2_ADDR, ip_json, routes_lab)

# what routes_policy.c gives the first custom interface: index 2
WAN1_TABLE = "1002"
WAN1_PREF = "9002"
WAN_TABLE = "1001"


def rules_of(lab, pref):
    return [r for r in ip_json(lab, "-4", "rule", "show") if str(r.get("priority")) == pref]


def no_staged_changes(lab):
    changes = lab.daemon.ctl_json("changes")
    assert changes == [], "something was staged: %s" % json.dumps(changes)


def rest(lab, method, path, body=None):
    """One REST request as difosd-web forwards it (http.request), with an API
    token; returns (status, body)."""
    if not getattr(lab, "routes_token", None):
        lab.routes_token = lab.daemon.ctl_json("token-create", "routes-tests", "config")["token"]
    req = {"method": method, "path": "/api/v1" + path, "peer": "192.168.1.20",
           "host": "192.168.1.1", "authorization": "Bearer " + lab.routes_token}
    if body is not None:
        req["body"] = json.dumps(body)
    resp = lab.daemon.ctl_json("call", "http.request", json.dumps(req))
    return resp["status"], resp["body"]


# a -------------------------------------------------------------------------

def test_policy_by_source(lab):
    up = routes_lab(lab)
    d = lab.daemon
    up.bridge_client2()
    up.add_uplink2()
    d.ctl_ok("apply")
    lab.client_static("192.168.1.20")
    wan_addr = lab.router_wan_addr
    # without a policy both clients leave through the WAN
    up.wait_seen_as(lab.lan, wan_addr)
    up.wait_seen_as(up.client2, wan_addr)

    d.ctl_ok("add", "routes.policy", "name=phone", "source=%s/32" % CLIENT2_ADDR,
             "interface=wan1")
    d.ctl_ok("apply")
    up.wait_seen_as(up.client2, ROUTER_UP2_ADDR)
    assert up.seen_as(lab.lan) == wan_addr, "client .20 is not in the policy but left via wan1"

    # the kernel side: one rule, one table with the uplink's gateway
    rules = rules_of(lab, WAN1_PREF)
    assert len(rules) == 1 and rules[0]["table"] == WAN1_TABLE, rules
    assert rules[0]["fwmark"] == "0x200" and rules[0]["fwmask"] == "0xff00", rules
    table = ip_json(lab, "-4", "route", "show", "table", WAN1_TABLE)
    assert table and table[0]["dst"] == "default" and table[0]["gateway"] == UP2_ADDR and \
        table[0]["dev"] == "wan1", table
    detail = d.status()["features"]["routes"]["detail"]
    assert [p["interface"] for p in detail["policy"]] == ["wan1"], detail
    assert any(str(r.get("priority")) == WAN1_PREF for r in detail["in_force"]["rules"]), detail

    # removing the policy removes the rule and the table, and .21 is back on the WAN
    d.ctl_ok("delete", "routes.policy[1]")
    d.ctl_ok("apply")
    assert rules_of(lab, WAN1_PREF) == []
    assert ip_json(lab, "-4", "route", "show", "table", WAN1_TABLE) == []
    up.wait_seen_as(up.client2, wan_addr)


# b -------------------------------------------------------------------------

def resolve_ok(lab, name, want):
    wait_for(lambda: lab.resolve(name) == [want], 10,
             what=lambda: "%s -> %s through the router (got %r)" % (name, want,
                                                                    lab.dig(name)[1]))


def test_policy_by_domain(lab):
    up = routes_lab(lab)
    d = lab.daemon
    up.add_uplink2()
    # names resolve at the second upstream's DNS; its answers are in TEST-NET
    # ranges, which rebind protection would drop
    d.ctl_ok("set", "dns.upstreams", UP2_ADDR)
    d.ctl_ok("set", "dns.rebind_protection", "false")
    cp = d.ctl_ok("add", "routes.policy", "name=by name", "domains=pbr.test",
                  "domain_lists=vpn-providers", "interface=wan1")
    pid = cp.stdout.strip()
    d.ctl_ok("apply")
    lab.client_static("192.168.1.20")
    wan_addr = lab.router_wan_addr

    # not resolved yet: nothing sends these addresses elsewhere
    up.wait_seen_as(lab.lan, wan_addr, target=TARGET)
    assert up.seen_as(lab.lan, TARGET_SUB) == wan_addr

    # the domain itself
    resolve_ok(lab, "pbr.test", TARGET)
    up.wait_seen_as(lab.lan, ROUTER_UP2_ADDR, target=TARGET)
    # a subdomain with an address of its own
    resolve_ok(lab, "sub.pbr.test", TARGET_SUB)
    up.wait_seen_as(lab.lan, ROUTER_UP2_ADDR, target=TARGET_SUB)
    # any subdomain
    resolve_ok(lab, "x.pbr.test", TARGET)
    # a name from the premade list
    assert up.seen_as(lab.lan, TARGET_LISTED) == wan_addr
    resolve_ok(lab, "mullvad.net", TARGET_LISTED)
    up.wait_seen_as(lab.lan, ROUTER_UP2_ADDR, target=TARGET_LISTED)
    # a name in no policy keeps the WAN
    resolve_ok(lab, "other.test", TARGET_OTHER)
    assert up.seen_as(lab.lan, TARGET_OTHER) == wan_addr

    text = set_text(lab, pid)
    for addr in (TARGET, TARGET_SUB, TARGET_LISTED):
        assert addr in text, "%s is not in dyn_pbr%s: %s" % (addr, pid, text)
    assert TARGET_OTHER not in text

    # an unrelated change reloads the firewall: the resolved addresses stay
    d.ctl_ok("set", "firewall.wan_ping", "false")
    d.ctl_ok("apply")
    assert up.seen_as(lab.lan, TARGET) == ROUTER_UP2_ADDR, "the set lost its addresses"

    # a new domain in the policy: answers for it now go to the set too, and
    # the addresses resolved for the others stay (clients cache their answers)
    d.ctl_ok("set", "routes.policy[%s].domains" % pid, "pbr.test,other.test")
    d.ctl_ok("apply")
    assert TARGET in set_text(lab, pid), "adding a domain emptied dyn_pbr" + pid
    assert up.seen_as(lab.lan, TARGET) == ROUTER_UP2_ADDR, "adding a domain moved pbr.test"
    resolve_ok(lab, "other.test", TARGET_OTHER)
    up.wait_seen_as(lab.lan, ROUTER_UP2_ADDR, target=TARGET_OTHER)

    # a domain removed: its addresses must not stay routed, so the set is
    # emptied; the names still in the policy fill it again when looked up
    d.ctl_ok("set", "routes.policy[%s].domains" % pid, "other.test")
    d.ctl_ok("apply")
    left = set_text(lab, pid)
    assert TARGET not in left and TARGET_SUB not in left, left
    assert up.seen_as(lab.lan, TARGET) == wan_addr, "pbr.test is still routed after its removal"
    resolve_ok(lab, "other.test", TARGET_OTHER)
    up.wait_seen_as(lab.lan, ROUTER_UP2_ADDR, target=TARGET_OTHER)
    resolve_ok(lab, "pbr.test", TARGET)
    assert TARGET not in set_text(lab, pid)
    assert up.seen_as(lab.lan, TARGET) == wan_addr


def set_text(lab, pid):
    cp = ns_exec(lab.router, "nft", "-j", "list", "set", "inet", "difos", "dyn_pbr" + pid)
    assert cp.returncode == 0, describe(cp)
    return cp.stdout


# c -------------------------------------------------------------------------

def test_static_routes(lab):
    up = routes_lab(lab)
    d = lab.daemon
    up.add_uplink2()
    d.ctl_ok("add", "routes.static4", "target=10.99.0.0/16", "gateway=" + UP2_ADDR,
             "description=behind the second uplink")
    d.ctl_ok("add", "routes.static6", "target=2001:db8:99::/48", "gateway=fe80::1",
             "interface=wan1")
    d.ctl_ok("apply")

    routes = ip_json(lab, "-4", "route", "show", "10.99.0.0/16")
    assert len(routes) == 1 and routes[0]["gateway"] == UP2_ADDR and \
        routes[0]["dev"] == "wan1", routes
    routes6 = ip_json(lab, "-6", "route", "show", "2001:db8:99::/48")
    assert len(routes6) == 1 and routes6[0]["gateway"] == "fe80::1" and \
        routes6[0]["dev"] == "wan1", routes6

    # the router reaches the network, and so does a LAN client (masqueraded on wan1)
    cp = ns_exec(lab.router, "ping", "-c", "1", "-W", "2", BEHIND_UP2)
    assert cp.returncode == 0, describe(cp)
    assert up.seen_as(lab.router, BEHIND_UP2) == ROUTER_UP2_ADDR
    lab.client_static("192.168.1.20")
    up.wait_seen_as(lab.lan, ROUTER_UP2_ADDR, target=BEHIND_UP2)

    # a disabled route leaves the kernel; the IPv6 one stays
    d.ctl_ok("set", "routes.static4[1].enabled", "false")
    d.ctl_ok("apply")
    assert ip_json(lab, "-4", "route", "show", "10.99.0.0/16") == []
    assert len(ip_json(lab, "-6", "route", "show", "2001:db8:99::/48")) == 1


# d -------------------------------------------------------------------------

def refused(lab, *args):
    cp = lab.daemon.ctl("add", *args)
    assert cp.returncode == 1, "difosctl add %s was not refused: %s" % (" ".join(args),
                                                                         describe(cp))
    no_staged_changes(lab)
    return cp.stderr


def test_bad_input_stages_nothing(lab):
    d = lab.daemon
    err = refused(lab, "routes.policy", "name=both", "destination=10.1.0.0/16",
                  "domains=pbr.test", "interface=wan")
    assert "routes.policy[1].domains: pbr.test cannot be combined with destination" in err, err

    err = refused(lab, "routes.policy", "name=list", "domain_lists=streaming,no-such-list",
                  "interface=wan")
    assert "routes.policy[1].domain_lists: no-such-list is not a premade domain list" in err, err
    assert "vpn-providers" in err, "the message does not name the lists there are: " + err

    err = refused(lab, "routes.policy", "name=where", "source=192.168.1.50", "interface=wan7")
    assert "routes.policy[1].interface: wan7 is neither \"wan\" nor" in err, err

    err = refused(lab, "routes.policy", "name=nothing", "interface=wan")
    assert "routes.policy[1]: needs at least one of source, destination" in err, err

    err = refused(lab, "routes.static4", "target=10.20.0.0/16")
    assert "routes.static4[1].gateway: is required when no interface is given" in err, err

    err = refused(lab, "routes.static4", "target=10.20.1.0/16", "gateway=198.51.100.1")
    assert "routes.static4[1].target: 10.20.1.0/16 has bits set" in err, err

    err = refused(lab, "interfaces.custom", "name=dup", "device=wan0", "zone=wan")
    assert "interfaces.custom[1].device: wan0 is already a device of the WAN" in err, err

    # a custom interface in zone lan is no way out for policy routes
    d.ctl_ok("add", "interfaces.custom", "name=dmz", "device=dmz0", "zone=lan")
    cp = d.ctl("add", "routes.policy", "name=dmz", "source=192.168.1.50", "interface=dmz0")
    assert cp.returncode == 1 and "routes.policy[1].interface: dmz0 is a custom interface " \
        "in zone lan" in cp.stderr, describe(cp)
    changes = d.ctl_json("changes")
    assert [c["path"] for c in changes] == ["interfaces.custom[1]"], changes
    d.ctl_ok("discard")
    no_staged_changes(lab)

    # the same through the REST API: 422 naming the field and the value, nothing staged
    status, body = rest(lab, "POST", "/config/routes/policy",
                        {"name": "both", "destination": ["10.1.0.0/16"],
                         "domains": ["pbr.test"], "interface": "wan"})
    assert status == 422, (status, body)
    assert "routes.policy[1].domains: pbr.test cannot be combined with destination" in \
        json.dumps(body), body
    assert rest(lab, "GET", "/changes") == (200, [])


# e -------------------------------------------------------------------------

def test_wan_policy_table_follows_dhcp_router(lab):
    d = lab.daemon
    d.ctl_ok("add", "routes.policy", "name=via wan", "source=192.168.1.21", "interface=wan")
    d.ctl_ok("apply")

    def gateway():
        t = ip_json(lab, "-4", "route", "show", "table", WAN_TABLE)
        return t[0].get("gateway") if t else None
    wait_for(lambda: gateway() == "198.51.100.1", 10,
             what=lambda: "table %s to go via the DHCP router (has %r)" % (WAN_TABLE, gateway()))

    # the DHCP client reports a renewed lease naming another router
    lease = {"event": "renew", "interface": "wan0", "ip": lab.router_wan_addr,
             "subnet": "255.255.255.0", "router": "198.51.100.254", "dns": "198.51.100.1",
             "lease": "3600"}
    d.ctl_ok("call", "wan.dhcp_event", json.dumps(lease))
    assert gateway() == "198.51.100.254", ip_json(lab, "-4", "route", "show", "table", WAN_TABLE)


def test_domain_lists_method(lab):
    lists = lab.daemon.ctl_json("domain-lists")["lists"]
    names = [x["name"] for x in lists]
    assert {"streaming", "vpn-providers"} <= set(names), names
    vpn = next(x for x in lists if x["name"] == "vpn-providers")
    assert vpn["domains"] >= 10 and vpn["description"], vpn
    status, body = rest(lab, "GET", "/routes/domain-lists")
    assert status == 200 and body["lists"] == lists, (status, body)


# f -------------------------------------------------------------------------

def test_route_via_dhcp_wan_after_restart(lab):
    d = lab.daemon
    d.ctl_ok("add", "routes.static4", "target=10.77.0.0/16", "gateway=198.51.100.1")
    d.ctl_ok("apply")
    assert len(ip_json(lab, "-4", "route", "show", "10.77.0.0/16")) == 1

    # difosd starts again on a WAN without its address: the gateway is
    # unreachable until the DHCP lease comes, then the route is installed
    assert d.stop() == 0
    ns_exec(lab.router, "ip", "-4", "addr", "flush", "dev", "wan0", check=True)
    ns_exec(lab.router, "ip", "route", "flush", "proto", "209", check=True)
    d.start()
    lab.wait_router_wan()
    wait_for(lambda: len(ip_json(lab, "-4", "route", "show", "10.77.0.0/16")) == 1, 15,
             what="10.77.0.0/16 to be installed once the WAN lease came")
    assert d.status()["features"]["routes"]["state"] == "ok", d.status()["features"]["routes"]
