"""
WAN to WWAN failover with real packets: a LAN client keeps one UDP
connection to an "internet" address answered on both sides (lab_failover.py).
The WAN's link goes down: within the goal (5 s) the answers come from the
carrier, through the same connection (its translation to the WAN's address
forgotten); the link comes back: after return_after seconds of health the
answers come from the WAN again. The switch times are printed.
"""

import json
import time

import pytest

from conftest import ns_exec, wait_for
from lab_failover import FailoverLab, dump, interfaces
from lab_modem import INTERNET_ADDR

GOAL_S = 5.0


@pytest.fixture
def fo(lab):
    f = FailoverLab(lab, return_after=2)
    try:
        yield f
    finally:
        f.close()
        ns_exec(lab.wan, "ip", "link", "set", "eth0", "up")


def test_link_down_moves_traffic_to_wwan_and_back(lab, fo):
    wait_for(fo.wwan_up, 40, what="the WWAN uplink")
    st = fo.status()
    assert st["active"] == "wan" and st["wwan"]["available"], dump(st)
    # the Overview's words: the backup stands by
    assert interfaces(lab)["wwan0"].get("uplink_state") == "standby"
    fo.start_prober(40)
    t = fo.wait_answer_from("wan", time.time(), 10)
    assert t, "no answer through the WAN before the failure"

    # the WAN's link goes down (its far end unplugged)
    t0 = time.time()
    ns_exec(lab.wan, "ip", "link", "set", "eth0", "down", check=True)
    t1 = fo.wait_answer_from("carrier", t0, 10)
    assert t1, "traffic never reached the carrier: %s" % dump(fo.status())
    print("link down: traffic through WWAN after %.0f ms (mwan3's defaults: ~15 s)" %
          ((t1 - t0) * 1000))
    assert t1 - t0 < GOAL_S
    st = fo.status()
    assert st["active"] == "wwan" and st["last"]["reason"] == "the WAN's link is down", dump(st)
    # the one connection moved with it: its translation to the WAN's address was forgotten
    assert st["last"]["forgotten"] >= 1, dump(st)
    assert interfaces(lab)["wan0"].get("uplink_state") == "failed over"
    # the main table is untouched: the WAN's default route is where it was
    routes = ns_exec(lab.router, "ip", "-4", "route", "show", "table", "201").stdout
    assert "default via 10.64.0.1 dev wwan0" in routes, routes

    # back: the link up, healthy for return_after (2 s) -> the WAN again
    t2 = time.time()
    ns_exec(lab.wan, "ip", "link", "set", "eth0", "up", check=True)
    t3 = fo.wait_answer_from("wan", t2, 15)
    assert t3, "traffic never came back to the WAN: %s" % dump(fo.status())
    print("link up: traffic back through the WAN after %.0f ms (return_after 2 s; "
          "mwan3's defaults: ~40 s)" % ((t3 - t2) * 1000))
    assert 2.0 <= t3 - t2 < 2.0 + GOAL_S
    st = fo.status()
    assert st["active"] == "wan" and st["switches"] == 2, dump(st)
    assert "default" not in ns_exec(lab.router, "ip", "-4", "route", "show", "table",
                                    "201").stdout
    # nothing answered from the carrier once the WAN was back in use
    time.sleep(1.5)
    late = [w for t, w in fo.answers() if t > t3 + 0.5]
    assert late and set(late) == {"wan"}, late[-20:]


def test_no_backup_no_switch(lab):
    """Without a WWAN uplink the WAN stays in use whatever happens to it."""
    d = lab.daemon
    ns_exec(lab.wan, "ip", "link", "set", "eth0", "down", check=True)
    try:
        time.sleep(1)
        st = d.ctl_json("status")["features"]["failover"]["detail"]
        assert st["active"] == "wan" and st["switches"] == 0 and not st["wwan"]["available"]
        assert st["wan"]["link"] is False and st["wan"]["why"] == "the WAN's link is down"
    finally:
        ns_exec(lab.wan, "ip", "link", "set", "eth0", "up")


def test_bad_input(lab):
    d = lab.daemon
    cp = d.ctl("set", "failover.return_after", "-1")
    assert cp.returncode != 0 and "failover.return_after" in cp.stderr + cp.stdout
    cp = d.ctl("set", "failover.return_after", "99999")
    assert cp.returncode != 0 and "99999" in cp.stderr + cp.stdout
    assert d.ctl_json("changes") == []


def test_without_forgetting_masquerade_still_moves(lab, fo):
    """forget_connections off: nothing is forgotten at the switch, and a
    masqueraded connection still moves, one packet later: the kernel drops
    the first packet of a masqueraded connection whose way out changed and
    forgets it (what the failover's forgetting saves is that packet, and
    translations that are no masquerade)."""
    lab.daemon.ctl_ok("set", "failover.forget_connections", "false")
    lab.daemon.ctl_ok("apply")
    wait_for(fo.wwan_up, 40, what="the WWAN uplink")
    fo.start_prober(20)
    assert fo.wait_answer_from("wan", time.time(), 10)
    t0 = time.time()
    ns_exec(lab.wan, "ip", "link", "set", "eth0", "down", check=True)
    t1 = fo.wait_answer_from("carrier", t0, GOAL_S)
    assert t1, "traffic never reached the carrier"
    st = fo.status()
    assert st["active"] == "wwan" and st["last"]["forgotten"] == 0, dump(st)


def test_silent_blackhole_moves_traffic_by_the_health_checks(lab, fo):
    """The WAN's link stays up but the line carries nothing: the health
    checks (a probe every second, down after three lost rounds) find it, and
    traffic moves within the goal; when the line carries again, it comes
    back after up_after rounds and return_after seconds."""
    d = lab.daemon
    d.ctl_ok("set", "uplinks.wan", json.dumps({
        "enabled": True, "interval": 1, "timeout": 500, "loss_threshold": 50,
        "latency_threshold": 500, "down_after": 3, "up_after": 2}))
    d.ctl_ok("set", "uplinks.targets", json.dumps([{"id": 1, "kind": "icmp",
                                                    "address": "198.51.100.1"}]))
    d.ctl_ok("apply")
    wait_for(fo.wwan_up, 40, what="the WWAN uplink")
    fo.start_prober(40)
    assert fo.wait_answer_from("wan", time.time(), 10)
    t0 = time.time()
    ns_exec(lab.wan, "nft", "add table ip hole; add chain ip hole in { type filter hook "
            "prerouting priority -300; policy drop; }", check=True)
    try:
        t1 = fo.wait_answer_from("carrier", t0, 15)
        assert t1, "traffic never reached the carrier: %s" % dump(fo.status())
        print("blackhole: traffic through WWAN after %.0f ms (mwan3's defaults: ~15 s)" %
              ((t1 - t0) * 1000))
        assert t1 - t0 < GOAL_S
        st = fo.status()
        assert st["active"] == "wwan" and st["last"]["reason"] == \
            "the WAN's health checks fail", dump(st)
        assert st["wan"]["link"] is True and st["wan"]["healthy"] is False
    finally:
        t2 = time.time()
        ns_exec(lab.wan, "nft", "delete table ip hole")
    t3 = fo.wait_answer_from("wan", t2, 20)
    assert t3, "traffic never came back to the WAN: %s" % dump(fo.status())
    print("line back: traffic through the WAN after %.0f ms (up after 2 rounds, "
          "return_after 2 s)" % ((t3 - t2) * 1000))
    assert fo.status()["active"] == "wan"


def test_an_unhealthy_backup_is_not_used(lab, fo):
    """The WWAN's own health checks (from its address, out of its device): a
    carrier that carries nothing is down, and the WAN's failure then moves
    nothing; once the carrier carries again, the failover uses it."""
    d = lab.daemon
    d.ctl_ok("set", "uplinks.wwan", json.dumps({
        "enabled": True, "interval": 1, "timeout": 500, "loss_threshold": 50,
        "latency_threshold": 500, "down_after": 2, "up_after": 2}))
    d.ctl_ok("set", "uplinks.targets", json.dumps([{"id": 1, "uplink": "wwan", "kind": "icmp",
                                                    "address": INTERNET_ADDR}]))
    d.ctl_ok("apply")
    wait_for(fo.wwan_up, 40, what="the WWAN uplink")

    def wwan_health():
        return d.ctl_json("status")["features"]["uplinks"]["detail"]["wwan"]["state"]
    wait_for(lambda: wwan_health() == "up", 10, what="the WWAN's health up")
    ns_exec(fo.modem.carrier, "nft", "add table ip hole; add chain ip hole in { type filter "
            "hook prerouting priority -300; policy drop; }", check=True)
    try:
        wait_for(lambda: wwan_health() == "down", 10, what="the WWAN's health down")
        assert fo.status()["wwan"]["available"] is False
        ns_exec(lab.wan, "ip", "link", "set", "eth0", "down", check=True)
        time.sleep(1.5)
        st = fo.status()
        assert st["active"] == "wan" and st["switches"] == 0, dump(st)
    finally:
        ns_exec(fo.modem.carrier, "nft", "delete table ip hole")
    # the carrier carries again: up after 2 rounds, and the failover moves then
    wait_for(lambda: fo.status()["active"] == "wwan", 10, what="the switch to the healthy WWAN")
    assert fo.status()["last"]["reason"] == "the WAN's link is down"
