"""
dnsmasq's health check waits for the configuration just applied: the
rendered hosts file holds a generation marker (a name under
_difos-generation.invalid that changes with what dnsmasq is given), and an
apply returns only once dnsmasq answers the new one.
"""

import json
import os
import time

from conftest import DIFOSCTL, describe, ns_exec


def active(d, name):
    return (d.root / "run/difos/active/dhcp" / name).read_text()


def marker(d):
    return active(d, "generation").strip()


def answers(lab, name):
    """Addresses dnsmasq answers for name on the router's loopback."""
    return lab.resolve(name, ns=lab.router, server="127.0.0.1")


def test_marker_follows_the_configuration(lab):
    d = lab.daemon
    m1 = marker(d)
    assert m1.endswith("._difos-generation.invalid"), m1
    assert "192.0.2.1 %s\n" % m1 in active(d, "hosts")
    assert answers(lab, m1) == ["192.0.2.1"]

    # many names make the re-read take a while; the apply waits for it
    d.ctl_ok("add", "dhcp.static_leases", "mac=02:df:05:00:00:42", "ip=192.168.1.42",
             "hostname=printer")
    hosts = [{"id": i + 1, "name": "host%d.example" % i, "ip": "10.9.%d.%d" % (i >> 8, i & 255)}
             for i in range(3000)]
    cp = ns_exec(d.ns, str(DIFOSCTL), "--root", str(d.root), "call", "config.set", "-",
                 input=json.dumps({"changes": [{"path": "dhcp.hostnames", "value": hosts}]}))
    assert cp.returncode == 0, describe(cp)
    d.ctl_ok("apply", timeout=60)
    m2 = marker(d)
    assert m2 != m1, "the marker did not change with the configuration"
    # in force when the apply returned: the new marker answers, the old is gone
    assert answers(lab, m2) == ["192.0.2.1"]
    assert answers(lab, m1) == []
    assert answers(lab, "host2999.example") == ["10.9.11.183"]
    # the rest of the marker's domain is answered here, never forwarded
    cp = ns_exec(lab.router, "dig", "+time=1", "+tries=1", "@127.0.0.1",
                 "other._difos-generation.invalid", timeout=10)
    assert "status: NXDOMAIN" in cp.stdout, describe(cp)


def test_health_waits_for_the_new_files(bare_lab):
    """dnsmasq re-reads files that are not the new ones (here: the test puts
    the previous hosts file back while the apply pauses): the old
    configuration keeps answering, so the apply fails on the health check
    and rolls back instead of reporting the new configuration in force."""
    lab = bare_lab
    d = lab.new_daemon()
    d.start("--test-apply-pause-ms", "2000")
    lab.wait_router_wan()
    rev0 = d.running_rev()
    old_hosts = active(d, "hosts")
    old_gen = os.readlink(d.root / "run/difos/active")

    d.ctl_ok("add", "dhcp.hostnames", "name=nas.example", "ip=10.9.0.1")
    t0 = time.monotonic()
    bg = lab.spawn("bg-apply", lab.router, [DIFOSCTL, "--root", d.root, "apply"])
    deadline = time.monotonic() + 10
    while os.readlink(d.root / "run/difos/active") == old_gen:
        assert time.monotonic() < deadline, "the apply never switched the files"
        time.sleep(0.05)
    new_marker = marker(d)
    (d.root / "run/difos/active/dhcp/hosts").write_text(old_hosts)
    rc = bg.wait(timeout=40)
    took = time.monotonic() - t0
    assert rc == 4, "apply with a stale dnsmasq: expected exit 4, got %s" % rc
    assert took > 10, "the health check gave up after %.1f s" % took
    assert d.running_rev() == rev0
    st = d.status()["features"]["dhcp"]
    assert answers(lab, new_marker) == []
    log = d.log.read_text()
    assert "does not answer %s" % new_marker in log, d.log_tail()
    assert st["state"] == "ok", st
