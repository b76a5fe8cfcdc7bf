"""
The router dashboard: is the internet up, and is everything running?

The WAN card says what the lab's DHCP server gave (address, gateway, DNS,
lease and its time left) and whether the gateway and the upstream DNS
answer; the clients list holds the lab's client and the count is its
length; the traffic counters grow with traffic; and the kernel is read by
netlink: what difosd reads equals what `ip -j` prints, and no process is
spawned per call.
"""

import json
import time

import pytest

from conftest import BUILD, CLIENT_MAC, LAN_ADDR, WAN_SERVER, ns_exec, wait_for
from lab_trace import programs_run_during

NL_DUMP = BUILD / "tests/unit/nl_dump"


def dashboard(lab):
    return lab.daemon.ctl_json("call", "dashboard")


def ip_json(lab, *args):
    cp = ns_exec(lab.router, "ip", "-j", *args, timeout=10)
    assert cp.returncode == 0, cp.stderr
    return json.loads(cp.stdout or "[]")


def nl_json(lab, kind):
    cp = ns_exec(lab.router, str(NL_DUMP), kind, timeout=10)
    assert cp.returncode == 0, "nl_dump %s: %s" % (kind, cp.stderr)
    return json.loads(cp.stdout)


# ---- the WAN card -----------------------------------------------------------

def test_wan_card_matches_the_lab_dhcp(shared_lab):
    lab = shared_lab
    wan_addr = lab.router_wan_addr
    wan = wait_for(lambda: (lambda w: w if w.get("lease") and w.get("check") and
                            (w["check"].get("gateway") or {}).get("ok") else None)(
                                dashboard(lab)["wan"]),
                   15, what=lambda: "a WAN card with a lease and a good check: %s" %
                   json.dumps(dashboard(lab)["wan"]))
    assert wan["interface"] == "wan0" and wan["proto"] == "dhcp", wan
    assert wan["address"] == wan_addr + "/24", wan
    assert {"family": "inet", "address": wan_addr, "prefix": 24} in wan["addresses"], wan
    assert wan["gateway"] == WAN_SERVER, wan
    assert wan["dns"] == [WAN_SERVER], wan
    # the lab's server leases for 1h
    lease = wan["lease"]
    assert lease["seconds"] == 3600, lease
    assert 3000 < lease["left"] <= 3600 and lease["expires"] == lease["obtained"] + 3600, lease
    assert wan["upstreams"] == {"source": "wan", "servers": [WAN_SERVER]}, wan
    assert wan["state"] == "UP" and wan["uptime"] is not None and wan["uptime"] >= 0, wan
    # the check asked the gateway and the upstream only, and both answered
    check = wan["check"]
    assert check["gateway"]["address"] == WAN_SERVER and check["gateway"]["ok"], check
    assert check["dns"]["server"] == WAN_SERVER and check["dns"]["ok"], check
    # the lab's upstream has no internet to ask: it refuses the root's NS
    assert check["dns"]["answer"] == "REFUSED", check
    assert check["gateway"]["rtt_ms"] < 2000 and time.time() - check["at"] < 60, check


def test_wan_and_dns_status_tell_what_is_in_force(shared_lab):
    lab = shared_lab
    st = lab.daemon.status()["features"]
    lease = st["wan"]["detail"]["dhcp"]
    assert lease["ip"] == lab.router_wan_addr and lease["routers"] == [WAN_SERVER], lease
    assert lease["dns"] == [WAN_SERVER] and lease["lease"] == 3600, lease
    assert st["dhcp"]["detail"]["upstreams"] == {"source": "wan", "servers": [WAN_SERVER]}, st


def test_configured_upstreams_and_a_silent_gateway(lab):
    """Configured upstreams are the ones in force; a gateway that does not
    answer makes the check fail within its bound."""
    d = lab.daemon
    # the gateway drops echo requests from now on
    ns_exec(lab.wan, "sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1", check=True)
    d.ctl_ok("set", "dns.upstreams", "198.51.100.77")
    d.ctl_ok("apply")
    ups = d.status()["features"]["dhcp"]["detail"]["upstreams"]
    assert ups == {"source": "configured", "servers": ["198.51.100.77"]}, ups
    d.ctl_ok("call", "wan.dhcp_event", json.dumps({
        "event": "renew", "interface": "wan0", "ip": lab.router_wan_addr,
        "subnet": "255.255.255.0", "router": WAN_SERVER, "dns": WAN_SERVER, "lease": "3600"}))
    check = wait_for(lambda: (lambda c: c if c and c["dns"] and
                              c["dns"]["server"] == "198.51.100.77" else None)(
                                  dashboard(lab)["wan"]["check"]),
                     15, what="a check against the configured upstream")
    assert check["gateway"]["ok"] is False and check["gateway"]["answer"] == "no answer", check
    assert check["dns"]["ok"] is False, check


# ---- the LAN clients --------------------------------------------------------

def test_clients_list_and_count(lab):
    env = lab.client_dhcp_ok()
    # a second device with a fixed address: known only from the neighbour table
    ns_exec(lab.lan, "ip", "link", "add", "mv1", "link", "eth0", "address",
            "02:df:05:00:00:77", "type", "macvlan", "mode", "bridge", check=True)
    ns_exec(lab.lan, "ip", "addr", "add", "192.168.1.77/24", "dev", "mv1", check=True)
    ns_exec(lab.lan, "ip", "link", "set", "mv1", "up", check=True)
    ns_exec(lab.lan, "ping", "-c", "1", "-W", "2", "-I", "mv1", LAN_ADDR, timeout=10)

    def ready():
        d = dashboard(lab)
        macs = {c["mac"] for c in d["clients"]}
        return d if {CLIENT_MAC, "02:df:05:00:00:77"} <= macs else None
    d = wait_for(ready, 10, what=lambda: "both LAN devices in %s" % dashboard(lab)["clients"])
    by_mac = {c["mac"]: c for c in d["clients"]}
    me = by_mac[CLIENT_MAC]
    assert me["ip"] == env["ip"] and me["kind"] == "lease" and me["expires"] > time.time(), me
    fixed = by_mac["02:df:05:00:00:77"]
    assert fixed["ip"] == "192.168.1.77" and fixed["kind"] == "neighbour" and fixed["online"], fixed
    # the count is what the list holds, and the list one entry per device
    assert d["lan_clients"] == len(d["clients"]) == len(by_mac), d["clients"]
    leased = [l for l in d["leases"]["active"] if l["mac"] == CLIENT_MAC]
    assert len(leased) == 1

    # a static lease names the device and marks it static
    lab.daemon.ctl_ok("add", "dhcp.static_leases", "mac=" + CLIENT_MAC, "ip=192.168.1.60",
                      "name=Desk printer")
    lab.daemon.ctl_ok("apply")
    me = next(c for c in dashboard(lab)["clients"] if c["mac"] == CLIENT_MAC)
    assert me["kind"] == "static" and me["name"] == "Desk printer", me


# ---- traffic ----------------------------------------------------------------

def test_traffic_counters_grow(shared_lab):
    lab = shared_lab
    lab.client_dhcp_ok()
    d = lab.daemon
    before = d.ctl_json("call", "dashboard.traffic")
    assert before["period_ms"] == 3000 and "br-lan" in before["interfaces"], before
    rx0 = before["interfaces"]["br-lan"]["rx_bytes"]
    # about 200 KB from the client to the router
    cp = ns_exec(lab.lan, "ping", "-q", "-c", "150", "-i", "0.01", "-s", "1400", LAN_ADDR,
                 timeout=30)
    assert cp.returncode == 0, cp.stdout + cp.stderr

    def grown():
        t = d.ctl_json("call", "dashboard.traffic")
        i = t["interfaces"]["br-lan"]
        return t if i["rx_bytes"] - rx0 >= 150 * 1400 and max(i["rx"][-3:] or [0]) > 0 else None
    t = wait_for(grown, 12, interval=1, what="br-lan's counters to grow by 210 KB")
    series = t["interfaces"]["br-lan"]
    assert len(t["times"]) >= len(series["rx"]) >= 1 and len(series["rx"]) == len(series["tx"])
    # the dashboard carries the same series, and the counters on the interface
    dash = dashboard(lab)
    assert dash["traffic"]["interfaces"]["br-lan"]["rx_bytes"] >= series["rx_bytes"]
    brlan = next(i for i in dash["interfaces"] if i["name"] == "br-lan")
    assert brlan["stats"]["rx_bytes"] >= series["rx_bytes"], brlan


# ---- features and engines ---------------------------------------------------

def test_features_and_engines(shared_lab):
    d = dashboard(shared_lab)
    feats = {f["name"]: f for f in d["features"]}
    assert {"lan", "wan", "dhcp", "firewall"} <= set(feats), feats.keys()
    assert all(f["state"] == "ok" for f in feats.values()), feats
    engines = {e["name"]: e for f in feats.values() for e in f["engines"]}
    assert engines["dnsmasq"]["state"] == "running" and engines["udhcpc"]["state"] == "running"
    assert d["version"] and d["lan_clients"] == len(d["clients"])


# ---- the kernel, read by netlink --------------------------------------------

def norm_route(r):
    table = r.get("table", "main")
    return (r["dst"], r.get("gateway"), r.get("dev"), table, r.get("metric"),
            r.get("type", "unicast"))


def test_netlink_reads_match_ip(lab):
    if not NL_DUMP.exists():
        pytest.fail("missing %s (build the tree)" % NL_DUMP)
    lab.client_dhcp_ok()
    d = lab.daemon
    # a static route and a policy rule of ours, so both lists hold something
    d.ctl_ok("add", "routes.static4", "target=10.9.0.0/24", "gateway=" + WAN_SERVER,
             "interface=wan0", "metric=7")
    d.ctl_ok("apply")
    ns_exec(lab.router, "ip", "rule", "add", "pref", "9050", "fwmark", "0x300/0xff00", "lookup",
            "1050", check=True)
    ns_exec(lab.router, "ip", "rule", "add", "pref", "9051", "from", "10.1.0.0/16", "lookup",
            "main", check=True)

    # links and addresses (counters move: ip's before <= ours <= ip's after)
    before = {l["ifname"]: l for l in ip_json(lab, "-s", "link")}
    links = {l["ifname"]: l for l in nl_json(lab, "links")}
    after = {l["ifname"]: l for l in ip_json(lab, "-s", "link")}
    assert set(links) == set(before), (links.keys(), before.keys())
    for name, l in links.items():
        ip = before[name]
        for k in ("ifindex", "mtu", "operstate", "flags"):
            assert l[k] == ip[k], (name, k, l[k], ip[k])
        assert l.get("address") == ip.get("address"), (name, l, ip)
        for way in ("rx", "tx"):
            for k in ("bytes", "packets"):
                assert ip["stats64"][way][k] <= l["stats64"][way][k] <= \
                    after[name]["stats64"][way][k], (name, way, k)
    ours = {(a["ifindex"], a["family"], a["local"], a["prefixlen"], a["scope"])
            for a in nl_json(lab, "addresses")}
    theirs = {(l["ifindex"], a["family"], a["local"], a["prefixlen"], a["scope"])
              for l in ip_json(lab, "addr") for a in l["addr_info"]}
    assert ours == theirs, (ours ^ theirs)

    # the difosd answer is built from the same reads
    ifaces = {i["name"]: i for i in d.ctl_json("interfaces")}
    for l in ip_json(lab, "addr"):
        got = ifaces[l["ifname"]]
        assert got["mac"] == l.get("address") and got["mtu"] == l["mtu"], got
        assert got["state"] == l["operstate"] and got["flags"] == l["flags"], got
        assert [(a["address"], a["prefix"]) for a in got["addresses"]] == \
            [(a["local"], a["prefixlen"]) for a in l["addr_info"]], got

    # neighbours (ip leaves out NOARP ones)
    ns_exec(lab.router, "ping", "-c", "1", "-W", "2", WAN_SERVER)
    ours = {(n["dst"], n["dev"], n.get("lladdr")) for n in nl_json(lab, "neighbours")
            if n["state"] != ["NOARP"]}
    theirs = {(n["dst"], n["dev"], n.get("lladdr")) for n in ip_json(lab, "neigh")}
    assert ours == theirs, (ours ^ theirs)
    assert any(n[0] == WAN_SERVER for n in ours)

    # routes of every table, both families
    ours = sorted(norm_route(r) for r in nl_json(lab, "routes"))
    theirs = sorted(norm_route(r) for fam in ("-4", "-6")
                    for r in ip_json(lab, fam, "route", "show", "table", "all"))
    assert ours == theirs, (set(ours) ^ set(theirs))

    # rules (IPv4: ip's default)
    def rule_key(r):
        return (r["priority"], r.get("src"), r.get("srclen"), r.get("fwmark"), r.get("fwmask"),
                r.get("table"))
    ours = sorted(rule_key(r) for r in nl_json(lab, "rules") if ":" not in r.get("src", ""))
    theirs = sorted(rule_key(r) for r in ip_json(lab, "-4", "rule", "show"))
    # our dump holds both families; the IPv6 defaults repeat the IPv4 ones
    assert set(theirs) <= set(ours), (set(theirs) - set(ours))
    assert (9050, "all", None, "0x300", "0xff00", "1050") in theirs

    # what status shows of ours is ip's list of protocol 209
    in_force = d.status()["features"]["routes"]["detail"]["in_force"]["routes"]
    theirs = ip_json(lab, "route", "show", "table", "all", "proto", "209")
    assert [norm_route(r) for r in in_force] == [norm_route(r) for r in theirs], \
        (in_force, theirs)
    assert in_force and in_force[0]["dst"] == "10.9.0.0/24" and in_force[0]["metric"] == 7


# ---- no process per call ----------------------------------------------------

def test_reads_spawn_no_process(shared_lab):
    lab = shared_lab
    d = lab.daemon
    took = []

    def reads():
        t0 = time.monotonic()
        for _ in range(5):
            for m in ("dashboard", "status", "interfaces", "leases", "dashboard.traffic"):
                d.ctl_json("call", m)
        took.append(time.monotonic() - t0)
    ran = programs_run_during(lab, reads)
    assert not ran, "difosd ran programs while answering reads:\n" + "\n".join(ran)
    # 25 reads, each by a fresh difosctl: well under the 3.5 s one status took with ip runs
    assert took[0] < 10, took


def test_applies_change_the_kernel_without_ip(lab):
    """The LAN, WAN and interfaces appliers speak rtnetlink: moving the LAN
    address (bridge address, routes of its network, DHCP) runs no `ip`."""
    d = lab.daemon

    def move(addr):
        d.ctl_ok("set", "lan.ipv4.address", addr)
        d.ctl_ok("apply")
    ran = programs_run_during(lab, lambda: (move("192.168.1.2"), move(LAN_ADDR)))
    ips = [ln for ln in ran if '"/usr/sbin/ip"' in ln or '"/sbin/ip"' in ln or '"ip"' in ln
           or "/bin/ip\"" in ln]
    assert not ips, "difosd ran ip during an apply:\n" + "\n".join(ips)
    addrs = [a["local"] for l in ip_json(lab, "addr", "show", "dev", "br-lan")
             for a in l.get("addr_info", []) if a["family"] == "inet"]
    assert addrs == [LAN_ADDR], addrs


# ---- quick actions (system.reboot is tested on the dry backend only:
# tests/unit/test_engine.c test_quick_actions) ---------------------------------

def test_engine_restart_gives_a_new_process(lab):
    d = lab.daemon
    engines = {e["name"]: e for f in dashboard(lab)["features"] for e in f["engines"]}
    old = engines["dnsmasq"]["pid"]
    assert old > 0 and ns_exec(lab.router, "kill", "-0", str(old)).returncode == 0
    res = d.ctl_json("engine-restart", "dnsmasq")
    assert res["engine"] == "dnsmasq" and res["old_pid"] == old, res
    new = res["pid"]
    assert new and new != old, res
    # the old process is gone, the new one answers DNS on the LAN
    wait_for(lambda: ns_exec(lab.router, "kill", "-0", str(old)).returncode != 0, 5,
             what="the old dnsmasq to exit")
    engines = {e["name"]: e for f in dashboard(lab)["features"] for e in f["engines"]}
    assert engines["dnsmasq"]["pid"] == new and engines["dnsmasq"]["state"] == "running"
    # a restart asked for is not one of the supervisor's restarts after a crash
    assert engines["dnsmasq"]["restarts"] == 0, engines["dnsmasq"]
    lab.client_static("192.168.1.10")
    wait_for(lambda: lab.resolve("difos.lan") == [LAN_ADDR], 10,
             what="the new dnsmasq to answer")


def test_engine_restart_refuses_an_unknown_name(shared_lab):
    cp = shared_lab.daemon.ctl("engine-restart", "nosuch")
    assert cp.returncode != 0
    out = cp.stdout + cp.stderr
    assert 'no engine named "nosuch"' in out and "dnsmasq" in out, out


def test_pbx_reload_refused_while_the_pbx_is_off(shared_lab):
    cp = shared_lab.daemon.ctl("pbx-reload")
    assert cp.returncode != 0
    assert "the PBX is not running" in cp.stdout + cp.stderr, cp
