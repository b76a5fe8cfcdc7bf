"""
Region & Time against real engines. An NTP server (chronyd, `local stratum
3`) runs in the lab's wan namespace; the router's chronyd, started by difosd
under its test root with -x (it measures and serves, never sets this
machine's clock), follows it by the name upstream.test, which only the
uplink's DNS server (the wan dnsmasq) knows: the name was asked over plain
DNS of the uplink. Its source shows reachable and selected in time.status;
"Sync with NTP Server" runs its burst and reports that the step is refused
(the clock is not difosd's to set under a test root). The LAN's NTP service
answers an NTPv4 query from the lan namespace and not from the wan. The
timezone points <root>/etc/localtime at its zone and the status shows the
local time in it; a name outside the IANA list is refused naming it.
"""

import datetime
import json
import os
import socket
import struct
import time

from conftest import LAN_ADDR, PYTHON, WAN_SERVER, describe, ns_exec, wait_for

WAN_CHRONY_CONF = """\
local stratum 3
allow all
cmdport 0
bindcmdaddress /
pidfile {tmp}/wan-chronyd.pid
"""

# an NTPv4 client request (RFC 5905): LI 0, VN 4, mode 3; prints the
# answer's mode and stratum, or "none" after 2 s
NTP_QUERY = r"""
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(bytes([0x23]) + bytes(47), (sys.argv[1], 123))
try:
    data, _ = s.recvfrom(512)
except socket.timeout:
    print("none")
else:
    print(len(data), data[0] & 7, data[1])
"""


def start_wan_ntp(lab):
    conf = lab.tmp / "wan-chrony.conf"
    conf.write_text(WAN_CHRONY_CONF.format(tmp=lab.tmp))
    # -x: the server's clock is this machine's, read and never set
    lab.spawn("wan-chronyd", lab.wan, ["chronyd", "-x", "-d", "-u", "root", "-f", conf])
    wait_for(lambda: (lab.tmp / "wan-chronyd.pid").exists(), 10, what="the wan chronyd")


def time_status(d):
    return d.ctl_json("time")


def source(d, address):
    for s in time_status(d)["ntp"]["sources"] or []:
        if s["address"] == address:
            return s
    return None


def ntp_query(lab, ns, addr):
    query = lab.tmp / "ntp_query.py"
    query.write_text(NTP_QUERY)
    cp = ns_exec(ns, PYTHON, query, addr, timeout=10)
    assert cp.returncode == 0, describe(cp)
    return cp.stdout.split()


def test_router_follows_an_ntp_server_named_over_the_uplinks_dns(lab):
    d = lab.daemon
    start_wan_ntp(lab)
    d.ctl_ok("set", "time.ntp_servers", json.dumps(["upstream.test"]))
    d.ctl_ok("set", "time.ntp_server_lan", "true")
    d.ctl_ok("apply")

    conf = (d.root / "run/difos/active/time/chrony.conf").read_text()
    assert "server upstream.test iburst\n" in conf
    assert "allow 192.168.1.0/24\n" in conf
    # chronyd sees the uplink's servers as its resolv.conf, not the machine's
    resolv = (d.root / "run/difos/time/resolv.conf").read_text()
    assert "nameserver %s" % WAN_SERVER in resolv, resolv

    st = wait_for(lambda: (lambda s: s if s and s["state"] == "selected" and s["reach"] else None)(
        source(d, WAN_SERVER)), 60,
        what=lambda: "the wan server selected (status %s)" % json.dumps(time_status(d)["ntp"]))
    assert st["mode"] == "server" and st["stratum"] == 3
    ntp = time_status(d)["ntp"]
    assert ntp["running"] and ntp["synchronised"] and not ntp["clock_control"]
    assert ntp["tracking"]["reference"] == WAN_SERVER
    assert ntp["tracking"]["stratum"] == 4

    # the chronyd of the test root runs with -x
    eng = d.status()
    assert "-x" in json.dumps(eng), "chronyd without -x under a test root"

    # Sync with NTP Server: the burst runs, the step is refused (-x)
    res = d.ctl_json("time-sync")
    assert res["sync"]["state"] in ("running", "done")
    sync = wait_for(lambda: (lambda s: s if s and s["state"] == "done" else None)(
        time_status(d)["ntp"]["sync"]), 20, what="the sync jobs to end")
    assert sync["burst"] == "done", sync
    assert sync["step"].startswith("refused"), sync

    # the LAN's NTP service: a client on the LAN gets the router's time
    # (stratum 4: one below the wan server), the wan gets nothing
    lab.client_static()
    ans = wait_for(lambda: (lambda a: a if a != ["none"] else None)(
        ntp_query(lab, lab.lan, LAN_ADDR)), 10, what="an NTP answer on the LAN")
    assert ans == ["48", "4", "4"], ans
    wan_addr = lab.router_wan_ipv4()
    assert ntp_query(lab, lab.wan, wan_addr) == ["none"]
    rules = ns_exec(lab.router, "nft", "list", "chain", "inet", "difos", "input").stdout
    assert 'iifname "br-lan" udp dport 123 accept' in rules, rules


def test_lan_ntp_is_closed_when_off(lab):
    d = lab.daemon
    start_wan_ntp(lab)
    d.ctl_ok("set", "time.ntp_servers", json.dumps([WAN_SERVER]))
    d.ctl_ok("apply")
    assert "port 0\n" in (d.root / "run/difos/active/time/chrony.conf").read_text()
    lab.client_static()
    assert ntp_query(lab, lab.lan, LAN_ADDR) == ["none"]
    rules = ns_exec(lab.router, "nft", "list", "chain", "inet", "difos", "input").stdout
    assert "udp dport 123" not in rules


def test_no_servers_no_chronyd(lab):
    d = lab.daemon
    d.ctl_ok("set", "time.ntp_servers", "[]")
    d.ctl_ok("apply")
    assert not (d.root / "run/difos/active/time/chrony.conf").exists()
    assert not time_status(d)["ntp"]["running"]
    cp = d.ctl("time-sync")
    assert cp.returncode != 0 and "no NTP server" in cp.stderr + cp.stdout, describe(cp)


def test_timezone_sets_localtime_and_the_status_shows_it(lab):
    d = lab.daemon
    d.ctl_ok("set", "time.timezone", "Asia/Kolkata")
    d.ctl_ok("apply")
    etc = d.root / "etc"
    assert os.readlink(etc / "localtime") == "/usr/share/zoneinfo/Asia/Kolkata"
    assert (etc / "timezone").read_text() == "Asia/Kolkata\n"

    st = time_status(d)
    assert st["timezone"] == "Asia/Kolkata" and st["abbreviation"] == "IST"
    assert st["utc_offset"] == 19800
    utc = datetime.datetime.strptime(st["utc"], "%Y-%m-%dT%H:%M:%SZ")
    local = datetime.datetime.strptime(st["local"], "%Y-%m-%dT%H:%M:%S")
    assert local - utc == datetime.timedelta(hours=5, minutes=30)
    assert abs(st["now_ms"] / 1000 - time.time()) < 5
    assert "Asia/Kolkata" in d.ctl_ok("time").stdout

    # and back: the link follows
    d.ctl_ok("set", "time.timezone", "Europe/Oslo")
    d.ctl_ok("apply")
    assert os.readlink(etc / "localtime") == "/usr/share/zoneinfo/Europe/Oslo"
    assert time_status(d)["abbreviation"] in ("CET", "CEST")


def test_bad_timezone_and_server_refused_naming_them(lab):
    d = lab.daemon
    cp = d.ctl("set", "time.timezone", "Mars/Olympus_Mons")
    out = cp.stdout + cp.stderr
    assert cp.returncode != 0 and "time.timezone" in out and "Mars/Olympus_Mons" in out, out
    cp = d.ctl("set", "time.ntp_servers", json.dumps(["pool.ntp.org", "bad name!"]))
    out = cp.stdout + cp.stderr
    assert cp.returncode != 0 and "time.ntp_servers[1]" in out and "bad name!" in out, out
    assert os.path.lexists(d.root / "etc/localtime") is False or \
        os.readlink(d.root / "etc/localtime").endswith("/UTC")


def test_zones_list_is_tzdatas(lab):
    zones = lab.daemon.ctl_json("time-zones")["zones"]
    assert "UTC" in zones and "Europe/Berlin" in zones and "Europe/Oslo" in zones
    assert "America/Argentina/Buenos_Aires" in zones
    assert zones == sorted(set(zones))
    assert len(zones) > 300
