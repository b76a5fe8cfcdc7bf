"""
Bandwidth control with real traffic: per-client limits by IP and by MAC
measured with iperf3 in both directions, the whitelist, removal of a limit,
SQM on a kernel without cake, and rejected input.
"""

import re

from conftest import CLIENT_MAC, describe, ns_exec
from lab_trace import programs_run_during
from lab_qos import assert_limited, iperf_mbps, qdiscs, start_iperf_server, tc_show

CLIENT_IP = "192.168.1.20"
LIMIT = 8          # Mbps
FAR_ABOVE = 4      # an unlimited client reaches more than this many times the limit


def class_sent(lab, dev):
    """{handle: (bytes, packets)} of dev's HTB classes, as tc -s prints them."""
    out, handle = {}, None
    for line in ns_exec(lab.router, "tc", "-s", "class", "show", "dev", dev).stdout.splitlines():
        m = re.match(r"class htb (\S+)", line)
        if m:
            handle = m.group(1)
            continue
        m = re.match(r"\s*Sent (\d+) bytes (\d+) pkt", line)
        if m and handle:
            out[handle] = (int(m.group(1)), int(m.group(2)))
        handle = None
    return out


def setup_client(lab):
    lab.client_static(CLIENT_IP)
    start_iperf_server(lab)


def test_limit_by_ip_both_directions(lab):
    d = lab.daemon
    setup_client(lab)
    d.ctl_ok("set", "qos.enabled", "true")
    d.ctl_ok("add", "qos.by_ip", "ip=" + CLIENT_IP, "download=%d" % LIMIT,
             "upload=%d" % LIMIT, "description=test client")
    d.ctl_ok("apply")

    assert_limited(lab, True, LIMIT, what="download limited by IP")
    assert_limited(lab, False, LIMIT, what="upload limited by IP")

    # the counters follow the traffic
    counters = d.ctl_json("qos-counters")
    assert counters and counters[0]["client"] == CLIENT_IP, counters
    assert counters[0]["download"]["bytes"] > 1e6 and counters[0]["upload"]["bytes"] > 1e6
    # read by netlink, as tc reads them: tc's figures before and after bound ours
    before = class_sent(lab, "br-lan")
    got = []
    ran = programs_run_during(lab, lambda: got.extend([d.ctl_json("qos-counters"), d.status(),
                                                       d.ctl_json("sqm-status")]))
    assert not ran, "difosd ran programs for the counters:\n" + "\n".join(ran)
    counters = got[0]
    after = class_sent(lab, "br-lan")
    h = [k for k in before if counters[0]["download"]["bytes"] >= before[k][0]]
    assert any(before[k][0] <= counters[0]["download"]["bytes"] <= after[k][0] and
               before[k][1] <= counters[0]["download"]["packets"] <= after[k][1] for k in h), \
        (before, counters, after)

    # removing the limit gives the client its speed back
    d.ctl_ok("delete", "qos.by_ip[1]")
    d.ctl_ok("apply")
    free_down = iperf_mbps(lab, download=True)
    print("limit removed: download %.2f" % free_down)
    assert free_down > FAR_ABOVE * LIMIT, "download after the limit was removed: %.2f Mbps" % (
        free_down)


def test_limit_by_mac_and_default_rate(lab):
    d = lab.daemon
    setup_client(lab)
    # no rate of its own: the defaults apply (download 8, upload 4)
    d.ctl_ok("set", "qos.download", str(LIMIT))
    d.ctl_ok("set", "qos.upload", str(LIMIT // 2))
    d.ctl_ok("set", "qos.enabled", "true")
    d.ctl_ok("add", "qos.by_mac", "mac=" + CLIENT_MAC.upper())
    d.ctl_ok("apply")

    assert_limited(lab, True, LIMIT, what="download limited by MAC (default rate)")
    assert_limited(lab, False, LIMIT // 2, what="upload limited by MAC (default rate)")


def test_whitelist_beats_limit(lab):
    d = lab.daemon
    setup_client(lab)
    d.ctl_ok("set", "qos.enabled", "true")
    d.ctl_ok("add", "qos.by_mac", "mac=" + CLIENT_MAC, "download=%d" % LIMIT,
             "upload=%d" % LIMIT)
    d.ctl_ok("set", "qos.whitelist_ips", CLIENT_IP)
    d.ctl_ok("apply")

    down = iperf_mbps(lab, download=True)
    up = iperf_mbps(lab, download=False)
    print("whitelisted client under a %d Mbps MAC limit: download %.2f, upload %.2f" % (
        LIMIT, down, up))
    assert down > FAR_ABOVE * LIMIT, "whitelisted download: %.2f Mbps" % down
    assert up > FAR_ABOVE * LIMIT, "whitelisted upload: %.2f Mbps" % up

    # turning QoS off removes every qdisc and the ifb it installed
    d.ctl_ok("set", "qos.enabled", "false")
    d.ctl_ok("apply")
    assert "d1f:" not in tc_show(lab, "qdisc", "show", "dev", "br-lan")
    assert "ingress" not in tc_show(lab, "qdisc", "show", "dev", "br-lan")
    cp = lab.daemon.ctl("call", "interfaces")
    assert "ifb-lanup" not in cp.stdout


CAKE_MISSING = ("SQM needs the cake queue discipline (sch_cake), which this kernel does not "
                "provide")


def cake_present(lab):
    cp = lab.daemon.ctl_json("sqm-status")
    return cp["available"]


def test_sqm_without_cake_fails_and_keeps_the_running_config(lab):
    d = lab.daemon
    st = d.ctl_json("sqm-status")
    if st["available"]:
        # a kernel with cake: enabling works and installs cake on the WAN
        d.ctl_ok("set", "sqm.download", "92")
        d.ctl_ok("set", "sqm.upload", "18.4")
        d.ctl_ok("set", "sqm.enabled", "true")
        d.ctl_ok("apply")
        assert "cake" in tc_show(lab, "qdisc", "show", "dev", "wan0")
        return
    assert st["reason"] == CAKE_MISSING, st
    assert st["enabled"] is False
    cp = d.ctl_ok("sqm-status")
    assert CAKE_MISSING in cp.stdout, cp.stdout

    # a QoS limit in force before, to see that it stays
    d.ctl_ok("set", "qos.enabled", "true")
    d.ctl_ok("add", "qos.by_ip", "ip=" + CLIENT_IP)
    d.ctl_ok("apply")
    rev = d.running_rev()
    before = qdiscs(lab, "br-lan")
    assert ("htb", "d1f:", "root") in before, before

    # the speeds are required first: the error names the missing one
    d.ctl_ok("set", "sqm.download", "92")
    cp = d.ctl("set", "sqm.enabled", "true")
    assert cp.returncode == 1, describe(cp)
    assert "sqm.upload" in cp.stderr and "required" in cp.stderr, cp.stderr

    d.ctl_ok("set", "sqm.upload", "18.4")
    d.ctl_ok("set", "sqm.enabled", "true")
    cp = d.ctl("apply")
    assert cp.returncode == 4, "apply with SQM on a kernel without cake: %s" % describe(cp)
    assert CAKE_MISSING in cp.stderr, cp.stderr
    assert d.running_rev() == rev
    st = d.status()
    assert st["features"]["qos"]["state"] == "ok", st["features"]["qos"]
    assert d.ctl_json("get", "sqm.enabled") is True   # still staged for a later try
    assert d.ctl_json("sqm-status")["enabled"] is False
    assert qdiscs(lab, "br-lan") == before
    assert "cake" not in tc_show(lab, "qdisc", "show", "dev", "wan0")
    d.ctl_ok("discard")


def test_sqm_autofill(lab):
    d = lab.daemon
    res = d.ctl_json("sqm-autofill", "100", "20")
    assert res["download"] == 92.0 and abs(res["upload"] - 18.4) < 1e-9, res
    res = d.ctl_json("sqm-autofill", "33.3", "1")
    assert abs(res["download"] - 30.6) < 1e-9 and abs(res["upload"] - 0.9) < 1e-9, res
    cp = d.ctl("sqm-autofill", "fast", "20")
    assert cp.returncode == 1 and "advertised_download" in cp.stderr and "fast" in cp.stderr, \
        describe(cp)


def test_bad_limits_stage_nothing(lab):
    d = lab.daemon
    for bad in ("0", "-5"):
        cp = d.ctl("add", "qos.by_ip", "ip=" + CLIENT_IP, "upload=" + bad)
        assert cp.returncode == 1, describe(cp)
        assert re.search(r"qos\.by_ip\[\d+\]\.upload", cp.stderr) and bad in cp.stderr, cp.stderr
        assert "no staged changes" in d.ctl_ok("changes").stdout
    cp = d.ctl("set", "qos.download", "-5")
    assert cp.returncode == 1 and "qos.download" in cp.stderr and "-5" in cp.stderr, describe(cp)

    # limited and whitelisted at once: the error names both
    d.ctl_ok("set", "qos.whitelist_ips", CLIENT_IP)
    cp = d.ctl("add", "qos.by_ip", "ip=" + CLIENT_IP)
    assert cp.returncode == 1, describe(cp)
    assert re.search(r"qos\.by_ip\[\d+\]\.ip", cp.stderr) and "qos.whitelist_ips" in cp.stderr \
        and CLIENT_IP in cp.stderr, cp.stderr
    d.ctl_ok("discard")
    assert "no staged changes" in d.ctl_ok("changes").stdout
