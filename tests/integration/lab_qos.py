"""
Bandwidth measurements for the QoS tests: an iperf3 server in the WAN
namespace and runs of the iperf3 client in the LAN namespace, each bounded
(-t) with the TCP ramp-up left out (-O), read from iperf3's JSON output.
"""

import json
import shutil

import pytest

from conftest import WAN_SERVER, describe, ns_exec, wait_for

IPERF_PORT = 5201


def start_iperf_server(lab):
    """iperf3 -s in the WAN namespace, owned (and ended) by the lab."""
    if not shutil.which("iperf3"):
        pytest.fail("missing tool: iperf3 (Debian package iperf3)")
    lab.spawn("wan-iperf3", lab.wan, ["iperf3", "-s", "-B", WAN_SERVER, "-p", IPERF_PORT])
    wait_for(lambda: ns_exec(lab.wan, "nc", "-z", "-w", "1", WAN_SERVER, str(IPERF_PORT),
                             timeout=5).returncode == 0,
             10, what="the iperf3 server in the wan ns")


def iperf_mbps(lab, download, seconds=4, omit=1):
    """Goodput in Mbps seen by the receiver. download=True: the WAN server
    sends to the LAN client (iperf3 -R); False: the client uploads."""
    argv = ["iperf3", "-c", WAN_SERVER, "-p", str(IPERF_PORT), "-t", str(seconds),
            "-O", str(omit), "-J"]
    if download:
        argv.append("-R")
    cp = None
    # the server takes one test at a time; a run right after another may
    # find it busy for a moment
    for _ in range(3):
        cp = ns_exec(lab.lan, *argv, timeout=seconds + omit + 20)
        if cp.returncode == 0:
            break
        if "busy" not in cp.stdout + cp.stderr:
            break
        wait_for(lambda: True, 1)
    assert cp.returncode == 0, "iperf3 %s failed: %s" % (" ".join(argv), describe(cp))
    data = json.loads(cp.stdout)
    return data["end"]["sum_received"]["bits_per_second"] / 1e6


def assert_near(measured, limit, tolerance=0.15, what="rate"):
    lo, hi = limit * (1 - tolerance), limit * (1 + tolerance)
    assert lo <= measured <= hi, "%s: measured %.2f Mbps, limit %.2f Mbps (allowed %.2f-%.2f)" % (
        what, measured, limit, lo, hi)


def assert_limited(lab, download, limit, tolerance=0.15, what="rate", attempts=3):
    """Measures a shaped direction and asserts it runs at its limit.

    A shaper cannot make a flow faster than its rate, so a reading above the
    range fails at once. A reading below it can be the machine rather than
    the shaper (a starved iperf3 or TCP recovering from a drop on a loaded
    host): that direction is measured again, longer, and the best reading
    must be in range. Returns the readings."""
    hi = limit * (1 + tolerance)
    lo = limit * (1 - tolerance)
    readings = []
    for attempt in range(attempts):
        seconds, omit = (4, 1) if attempt == 0 else (6, 2)
        mbps = iperf_mbps(lab, download, seconds=seconds, omit=omit)
        readings.append(mbps)
        assert mbps <= hi, "%s: measured %.2f Mbps, above the limit %.2f Mbps (allowed up to %.2f)" % (
            what, mbps, limit, hi)
        if mbps >= lo:
            break
    print("%s: readings %s Mbps" % (what, ", ".join("%.2f" % r for r in readings)))
    assert_near(max(readings), limit, tolerance, what)
    return readings


def tc_show(lab, *args):
    """tc output inside the router namespace."""
    return ns_exec(lab.router, "tc", *args, timeout=5).stdout


def qdiscs(lab, dev):
    """The qdiscs of dev in the router namespace as (kind, handle, parent) tuples."""
    out = []
    for line in tc_show(lab, "qdisc", "show", "dev", dev).splitlines():
        f = line.split()
        if len(f) >= 4 and f[0] == "qdisc":
            out.append((f[1], f[2], f[3] if f[3] == "root" else " ".join(f[3:5])))
    return out
