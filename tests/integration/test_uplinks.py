"""
Uplinks' health checks: probe targets in the WAN namespace answer (an ICMP
echo and a DNS query, out of wan0), the WAN is up with no loss; blocked in
the WAN namespace (nftables drop) it goes down after the configured
failures, within interval x failures + timeout; unblocked, up again after
the configured successes. The state is in the status and the dashboard;
each switch is logged with the event.
"""

import json
import time

from conftest import WAN_SERVER, describe, ns_exec, wait_for

INTERVAL, TIMEOUT_MS, DOWN_AFTER, UP_AFTER = 1, 500, 3, 2
# the status is kept up to a second, and a round can begin just before a change
SLACK = 2.0


def health(d):
    st = d.status()
    found = []

    def walk(o):
        if isinstance(o, dict):
            if "wan" in o and isinstance(o["wan"], dict) and "rounds" in o["wan"]:
                found.append(o["wan"])
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(st)
    return found[0] if found else None


def configure(d, targets):
    d.ctl_ok("set", "uplinks.wan", json.dumps({
        "enabled": True, "interval": INTERVAL, "timeout": TIMEOUT_MS, "loss_threshold": 20,
        "latency_threshold": 200, "down_after": DOWN_AFTER, "up_after": UP_AFTER}))
    d.ctl_ok("set", "uplinks.targets", json.dumps(
        [dict(t, id=i + 1) for i, t in enumerate(targets)]))
    d.ctl_ok("apply")


def wait_state(d, state, timeout):
    return wait_for(lambda: (lambda h: h if h and h["state"] == state else None)(health(d)),
                    timeout, what=lambda: "the WAN's health %s (now %r)" % (state, health(d)))


def block(lab, on):
    if on:
        rules = ("table inet blk {\n chain in {\n  type filter hook input priority 0;\n"
                 "  iifname \"eth0\" meta l4proto icmp drop\n"
                 "  iifname \"eth0\" udp dport 53 drop\n }\n}\n")
        ns_exec(lab.wan, "nft", "-f", "-", input=rules, check=True)
    else:
        ns_exec(lab.wan, "nft", "delete", "table", "inet", "blk", check=True)


def test_wan_health_down_and_up(lab):
    d = lab.daemon
    lab.wait_router_wan()
    configure(d, [{"kind": "icmp", "address": WAN_SERVER},
                  {"kind": "dns", "address": WAN_SERVER, "name": "upstream.test"}])
    h = wait_state(d, "up", 10)
    assert h["loss"] == 0 and h["device"] == "wan0" and h["targets"] == 2, h
    assert all(t["ok"] for t in h["last"]), h
    assert isinstance(h["rtt_ms"], int) and h["rtt_ms"] < 200, h
    # the dashboard's WAN card shows it
    dash = d.ctl_json("call", "dashboard")
    assert dash["wan"]["health"]["state"] == "up", dash["wan"]

    block(lab, True)
    t0 = time.monotonic()
    bound = INTERVAL * DOWN_AFTER + TIMEOUT_MS / 1000
    h = wait_state(d, "down", bound + SLACK + 3)
    took = time.monotonic() - t0
    print("down after %.2f s (bound %.1f s + %.1f s of status cache and phase)" %
          (took, bound, SLACK))
    assert took <= bound + SLACK, "down after %.2f s" % took
    assert h["loss"] == 100 and not any(t["ok"] for t in h["last"]), h
    assert "uplinks: wan is down" in d.log_tail(200)

    block(lab, False)
    t0 = time.monotonic()
    bound = INTERVAL * UP_AFTER + TIMEOUT_MS / 1000
    h = wait_state(d, "up", bound + SLACK + 3)
    took = time.monotonic() - t0
    print("up after %.2f s (bound %.1f s + %.1f s)" % (took, bound, SLACK))
    assert took <= bound + SLACK, "up after %.2f s" % took
    assert h["loss"] == 0, h
    assert "uplinks: wan is up" in d.log_tail(200)


def test_wan_health_probes_leave_by_the_wan(lab):
    """A target the routing table reaches by the LAN is lost: the probes
    are bound to the WAN's device."""
    d = lab.daemon
    lab.wait_router_wan()
    lab.client_static()
    assert ns_exec(lab.router, "ping", "-c", "1", "-W", "1", "192.168.1.20").returncode == 0
    configure(d, [{"kind": "icmp", "address": "192.168.1.20"},
                  {"kind": "icmp", "address": WAN_SERVER}])
    # one of two lost in every round: 50 % > 20 %, degraded
    h = wait_state(d, "degraded", 10)
    by = {t["address"]: t for t in h["last"]}
    assert not by["192.168.1.20"]["ok"] and by[WAN_SERVER]["ok"], h
    assert h["loss"] == 50, h


def test_uplinks_bad_settings(lab):
    d = lab.daemon
    bad = [
        (["uplinks.wan.interval", "0"], "uplinks.wan.interval", "0"),
        (["uplinks.wan.loss_threshold", "101"], "uplinks.wan.loss_threshold", "101"),
        (["uplinks.wan", json.dumps({"interval": 1, "timeout": 1000})], "uplinks.wan.timeout",
         "interval"),
        (["uplinks.targets", json.dumps([{"id": 1, "kind": "icmp", "address": "gateway.example"}])],
         "uplinks.targets[", "gateway.example"),
        (["uplinks.targets", json.dumps([{"id": 1, "kind": "icmp", "address": WAN_SERVER,
                                          "name": "x.test"}])], ".name", "dns"),
    ]
    for args, path, words in bad:
        cp = d.ctl("set", *args)
        out = cp.stdout + cp.stderr
        assert cp.returncode != 0, "accepted %r: %s" % (args, describe(cp))
        assert path in out and words in out, "%r: %s" % (args, out)
    assert "uplinks" not in d.ctl_ok("changes").stdout
    # the guide's way of adding one
    d.ctl_ok("add", "uplinks.targets", "kind=dns", "address=" + WAN_SERVER, "name=example.com")
    assert "example.com" in d.ctl_ok("changes").stdout
    d.ctl_ok("discard")
    # nothing is checked until asked
    h = health(d)
    assert h["state"] == "off" and h["targets"] == 0, h
