"""
Network Settings › WWAN against the real daemon, with the modem stand-in
of lab_modem.py: a pty pair speaking AT commands as a modem does, and a
carrier namespace with a DHCP server behind the WWAN device (wwan0, a veth
the stand-in brings up on AT+CGACT). Real: difosd's AT control on its
loop, termios on a tty, the DHCP client (busybox udhcpc through
difos-dhcp-event), the kernel's addresses, routes, rules and packets. Not
exercised: a real modem, SIM or radio (see lab_modem.py).
"""

import ipaddress
import json
import time

import pytest

from conftest import describe, ns_exec, wait_for
from lab_modem import (CARRIER_GW, IMEI, INTERNET_ADDR, INTERNET_ADDR6, OPERATOR, PD_POOL,
                       ModemStandIn, wait_status, wwan_status)



@pytest.fixture
def modem(lab):
    made = []

    def make(**kw):
        m = ModemStandIn(lab, **kw)
        made.append(m)
        return m
    yield make
    for m in made:
        m.close()


def ip_json(lab, *args):
    cp = ns_exec(lab.router, "ip", "-j", *args)
    assert cp.returncode == 0, describe(cp)
    return json.loads(cp.stdout or "[]")


def connected(st):
    return st.get("connection") == "connected" and st.get("uplink")


def test_no_modem_status(lab):
    st = wait_status(lab.daemon, lambda s: s.get("connection") == "no modem", 10, "no modem")
    assert st["modem"] == "absent"
    assert st["enabled"] is True and st["uplink"] is None
    assert "/dev/ttyUSB2" in st.get("error", "")


def test_connects_without_configuration(lab, modem):
    m = modem()
    d = lab.daemon
    d.ctl_ok("set", "wwan.control_port", m.path)
    d.ctl_ok("apply")
    st = wait_status(d, connected, 40, "the WWAN uplink")
    # the default APN: the network's (an empty APN in the context)
    assert m.cgdcont_log[-1] == (1, "IPV4V6", ""), m.cgdcont_log
    assert st["modem"] == "present" and st["sim"] == "ready"
    assert st["manufacturer"] == "Quectel" and st["model"] == "EC25" and st["imei"] == IMEI
    assert st["operator"] == OPERATOR and st["registration"] == "home"
    assert st["technology"] == "LTE"
    assert st["signal"]["rssi_dbm"] == -73 and st["signal"]["rsrp_dbm"] == -91
    up = st["uplink"]
    assert up["device"] == "wwan0" and up["table"] == 200
    assert up["ipv4"]["gateway"] == CARRIER_GW
    assert up["ipv4"]["address"].startswith("10.64.0.")
    assert up["dns"] == [CARRIER_GW]
    # the address is on the device; the default route only in WWAN's table
    addrs = [a["local"] for link in ip_json(lab, "-4", "addr", "show", "dev", "wwan0")
             for a in link.get("addr_info", [])]
    assert addrs == [up["ipv4"]["address"]]
    main = ip_json(lab, "-4", "route", "show", "table", "main")
    assert not [r for r in main if r.get("dev") == "wwan0" and r["dst"] == "default"], main
    t200 = ip_json(lab, "-4", "route", "show", "table", "200")
    assert [r for r in t200 if r["dst"] == "default" and r.get("gateway") == CARRIER_GW], t200
    # traffic from the WWAN address reaches beyond the carrier's gateway
    # through WWAN's table (the main table has no route there)
    cp = ns_exec(lab.router, "ip", "route", "get", INTERNET_ADDR, "from", up["ipv4"]["address"])
    assert "dev wwan0" in cp.stdout and "table 200" in cp.stdout, describe(cp) + repr(t200)
    cp = ns_exec(lab.router, "ping", "-c", "1", "-W", "2", "-I", up["ipv4"]["address"],
                 INTERNET_ADDR)
    assert cp.returncode == 0, describe(cp)
    # the IPv4v6 context: the carrier's advertisements gave an IPv6 address
    assert up["family"] == "ipv4v6"
    assert up["ipv6"] and up["ipv6"]["address"].startswith("2001:db8:64:"), up
    # IPv6's default route too goes through the carrier's router in table 200 only
    assert up["ipv6"]["gateway"].startswith("fe80:"), up
    main6 = ip_json(lab, "-6", "route", "show", "table", "main")
    assert not [r for r in main6 if r["dst"] == "default"], main6
    t200v6 = ip_json(lab, "-6", "route", "show", "table", "200")
    assert [r for r in t200v6 if r["dst"] == "default" and r.get("dev") == "wwan0"], t200v6
    cp = ns_exec(lab.router, "ip", "-6", "route", "get", INTERNET_ADDR6, "from",
                 up["ipv6"]["address"])
    assert "dev wwan0" in cp.stdout and "table 200" in cp.stdout, describe(cp)
    # once its duplicate address detection is over, the address carries packets
    wait_for(lambda: ns_exec(lab.router, "ping", "-6", "-c", "1", "-W", "1", "-I",
                             up["ipv6"]["address"], INTERNET_ADDR6).returncode == 0,
             10, what="an IPv6 ping from the WWAN address beyond the carrier's router")
    # the PIN was never asked for
    assert m.pin_attempts == []


def test_apn_and_pin(lab, modem):
    m = modem(pin="4321")
    d = lab.daemon
    d.ctl_ok("set", "wwan.control_port", m.path)
    d.ctl_ok("set", "wwan.apn", "internet.example")
    d.ctl_ok("set", "wwan.pin", "4321")
    d.ctl_ok("set", "wwan.pdp_type", "ipv4")
    d.ctl_ok("apply")
    st = wait_status(d, connected, 40, "the WWAN uplink after the PIN")
    assert m.pin_attempts == ["4321"]
    assert m.cgdcont_log[-1] == (1, "IP", "internet.example")
    assert st["apn"] == "internet.example" and st["sim"] == "ready"
    assert st["uplink"]["family"] == "ipv4" and "ipv6" not in st["uplink"]
    # the PIN is write-only, and no log line holds it
    cp = d.ctl("get", "wwan.pin")
    assert "4321" not in cp.stdout
    assert "4321" not in d.log.read_text(errors="replace")


def test_wrong_pin_is_not_retried(lab, modem):
    m = modem(pin="1111")
    d = lab.daemon
    d.ctl_ok("set", "wwan.control_port", m.path)
    d.ctl_ok("set", "wwan.pin", "2222")
    d.ctl_ok("apply")
    st = wait_status(d, lambda s: s.get("sim") == "PIN wrong", 20, "the PIN refused")
    assert "refused the PIN" in st["error"]
    assert st["uplink"] is None
    # no second attempt: not after a while, not after an apply that changes something else
    time.sleep(4)
    d.ctl_ok("set", "wwan.apn", "other.example")
    d.ctl_ok("apply")
    time.sleep(3)
    assert m.pin_attempts == ["2222"], m.pin_attempts
    assert m.attempts_left == 2
    st = wwan_status(d)
    assert st["sim"] == "PIN wrong"
    # nor after difosd restarts (a router that reboots must not spend one per boot)
    assert d.stop() == 0
    d.start()
    st = wait_status(d, lambda s: s.get("sim") == "PIN wrong", 20, "the PIN still refused")
    time.sleep(2)
    assert m.pin_attempts == ["2222"], m.pin_attempts
    # a new PIN is tried once, and connects
    d.ctl_ok("set", "wwan.pin", "1111")
    d.ctl_ok("apply")
    wait_status(d, connected, 40, "the WWAN uplink with the right PIN")
    assert m.pin_attempts == ["2222", "1111"]


def test_context_dropped_reconnects(lab, modem):
    m = modem()
    d = lab.daemon
    d.ctl_ok("set", "wwan.control_port", m.path)
    d.ctl_ok("set", "wwan.pdp_type", "ipv4")
    d.ctl_ok("apply")
    wait_status(d, connected, 40, "the WWAN uplink")
    assert m.activations == 1
    m.drop_context()
    wait_status(d, lambda s: s.get("uplink") is None, 10, "the uplink to go")
    st = wait_status(d, lambda s: connected(s) and s.get("reconnects") == 1, 40,
                     "the WWAN uplink again")
    assert m.activations == 2
    cp = ns_exec(lab.router, "ping", "-c", "1", "-W", "2", "-I", st["uplink"]["ipv4"]["address"],
                 INTERNET_ADDR)
    assert cp.returncode == 0, describe(cp)
    # what the failover follows: the uplink went and came back, in the log
    log = d.log.read_text(errors="replace")
    assert "wwan: uplink down" in log and log.count("wwan: uplink up on wwan0") == 2


@pytest.mark.parametrize("field,value,words", [
    ("wwan.pin", "12a", "is not a SIM PIN"),
    ("wwan.pin", "123", "is not a SIM PIN"),
    ("wwan.apn", 'bad"apn', "is not an APN"),
    ("wwan.apn", "a" * 101, "wwan.apn"),
    ("wwan.control_port", "/dev/../etc/passwd", "wwan.control_port"),
    ("wwan.device", "wan0", "is also the WAN interface"),
])
def test_bad_input_is_refused(lab, field, value, words):
    d = lab.daemon
    cp = d.ctl("set", field, value)
    assert cp.returncode != 0, describe(cp)
    err = cp.stdout + cp.stderr
    assert field in err and words in err, err
    if field != "wwan.pin" and len(value) < 60:
        assert value in err, err
    # nothing staged
    assert "wwan" not in json.dumps(d.ctl_json("changes"))


def test_sim_needs_a_pin_none_set(lab, modem):
    m = modem(pin="1357")
    d = lab.daemon
    d.ctl_ok("set", "wwan.control_port", m.path)
    d.ctl_ok("apply")
    st = wait_status(d, lambda s: s.get("sim") == "PIN required", 20, "the SIM asking for a PIN")
    assert "set wwan.pin" in st["error"] and st["connection"] == "SIM PIN required"
    time.sleep(2)
    assert m.pin_attempts == [] and m.activations == 0


def test_no_sim(lab, modem):
    m = modem(sim=False)
    d = lab.daemon
    d.ctl_ok("set", "wwan.control_port", m.path)
    d.ctl_ok("apply")
    st = wait_status(d, lambda s: s.get("sim") == "absent", 20, "the SIM reported absent")
    assert st["modem"] == "present" and st["connection"] == "no SIM" and st["uplink"] is None
    assert m.activations == 0


def test_modem_unplugged_and_back(lab, modem):
    """The port hangs up (a modem reset): the uplink goes at once, the
    modem is absent, and when it is back under the same name it connects
    again by itself."""
    m = modem(link=True)
    d = lab.daemon
    d.ctl_ok("set", "wwan.control_port", m.path)
    d.ctl_ok("set", "wwan.pdp_type", "ipv4")
    d.ctl_ok("apply")
    wait_status(d, connected, 40, "the WWAN uplink")
    m.unplug()
    st = wait_status(d, lambda s: s.get("modem") == "absent" and s.get("uplink") is None, 10,
                     "the modem gone and the uplink with it")
    assert "control port" in st["error"] or "No such file" in st["error"], st
    assert ip_json(lab, "-4", "rule", "show", "pref", "8800") == []
    time.sleep(1.5)
    m.plug()
    st = wait_status(d, connected, 40, "the WWAN uplink after the modem came back")
    assert m.activations == 2
    cp = ns_exec(lab.router, "ping", "-c", "1", "-W", "2", "-I", st["uplink"]["ipv4"]["address"],
                 INTERNET_ADDR)
    assert cp.returncode == 0, describe(cp)


def test_disabled_lets_go(lab, modem):
    m = modem()
    d = lab.daemon
    d.ctl_ok("set", "wwan.control_port", m.path)
    d.ctl_ok("set", "wwan.pdp_type", "ipv4")
    d.ctl_ok("apply")
    wait_status(d, connected, 40, "the WWAN uplink")
    d.ctl_ok("set", "wwan.enabled", "false")
    d.ctl_ok("apply")
    st = wait_status(d, lambda s: s.get("connection") == "disabled", 10, "WWAN disabled")
    assert st["uplink"] is None and st["enabled"] is False
    assert ip_json(lab, "-4", "rule", "show", "pref", "8800") == []
    assert ip_json(lab, "-4", "route", "show", "table", "200") == []
    assert [a for link in ip_json(lab, "-4", "addr", "show", "dev", "wwan0")
            for a in link.get("addr_info", [])] == []
    assert not (st.get("client") or {}).get("running"), st
    # the firewall no longer counts the device as an uplink
    cp = ns_exec(lab.router, "nft", "list", "chain", "inet", "difos", "input")
    assert cp.returncode == 0 and "wwan0" not in cp.stdout, describe(cp)


def test_registers_late(lab, modem):
    """The network takes a while: the modem is searching, its unsolicited
    +CEREG says when it registered, and the context is set up once."""
    m = modem(register_delay=4.5)
    d = lab.daemon
    d.ctl_ok("set", "wwan.control_port", m.path)
    d.ctl_ok("set", "wwan.pdp_type", "ipv4")
    d.ctl_ok("apply")
    st = wait_status(d, lambda s: s.get("connection") == "searching", 10, "the modem searching")
    assert st["registration"] == "searching" and m.activations == 0
    wait_status(d, connected, 30, "the WWAN uplink once registered")
    assert len(m.cgdcont_log) == 1 and m.activations == 1, (m.cgdcont_log, m.activations)
    # the registration events were asked for before the wait
    assert m.commands.index("AT+CEREG=2") < m.commands.index("AT+CEREG?"), m.commands


def test_prefix_delegation(lab, modem):
    """IPv6 prefix delegation: the carrier's DHCPv6 server (Kea) delegates
    a /56, which the uplink publishes for the LAN; the DHCPv6 answers pass
    the firewall on the WWAN device only."""
    m = modem()
    d = lab.daemon
    d.ctl_ok("set", "wwan.control_port", m.path)
    d.ctl_ok("set", "wwan.ipv6_pd", "true")
    d.ctl_ok("apply")
    st = wait_status(d, lambda s: connected(s) and (s["uplink"].get("ipv6") or {})
                     .get("delegated_prefix"), 40, "a delegated prefix")
    prefix = ipaddress.IPv6Network(st["uplink"]["ipv6"]["delegated_prefix"])
    assert prefix.prefixlen == 56 and prefix.subnet_of(ipaddress.IPv6Network(PD_POOL)), prefix
    assert st["pd_client"]["running"], st
    cp = ns_exec(lab.router, "nft", "list", "chain", "inet", "difos", "input_wan")
    assert 'iifname "wwan0" udp sport 547 udp dport 546 accept' in cp.stdout, describe(cp)
    assert "wwan: delegated prefix %s" % prefix in d.log.read_text(errors="replace")
    # the LAN takes its first /64, as it does the WAN's delegated prefix
    lan64 = next(prefix.subnets(new_prefix=64))
    want = "%s/64" % (lan64.network_address + 1)

    def lan_has():
        out = ns_exec(lab.router, "ip", "-6", "-j", "addr", "show", "dev", "br-lan").stdout
        return want in ["%s/%s" % (a["local"], a["prefixlen"]) for link in json.loads(out or "[]")
                        for a in link.get("addr_info", [])]
    wait_for(lan_has, 10, what="%s on the LAN from the WWAN's delegated prefix" % want)
    # without prefix delegation no DHCPv6 client runs and no port is open
    d.ctl_ok("set", "wwan.ipv6_pd", "false")
    d.ctl_ok("apply")
    st = wait_status(d, lambda s: connected(s) and s["uplink"].get("ipv6") and
                     not s["uplink"]["ipv6"].get("delegated_prefix"), 40, "the uplink without")
    assert not (st.get("pd_client") or {}).get("running"), st
    cp = ns_exec(lab.router, "nft", "list", "chain", "inet", "difos", "input_wan")
    # WWAN's own opening is gone (the WAN zone's DHCPv6 client rule, from
    # link-local servers only, is the WAN's IPv6 and stays)
    assert 'iifname "wwan0" udp sport 547 udp dport 546' not in cp.stdout, describe(cp)


def test_new_apn_while_connected(lab, modem):
    """A settings change while connected: the old context is deactivated
    first (a modem refuses to define an active one again), then the new
    APN connects."""
    m = modem()
    d = lab.daemon
    d.ctl_ok("set", "wwan.control_port", m.path)
    d.ctl_ok("set", "wwan.pdp_type", "ipv4")
    d.ctl_ok("apply")
    wait_status(d, connected, 40, "the WWAN uplink")
    d.ctl_ok("set", "wwan.apn", "second.example")
    d.ctl_ok("apply")
    st = wait_status(d, lambda s: connected(s) and s.get("apn") == "second.example" and
                     m.activations == 2, 40, "the uplink with the new APN")
    assert m.cgdcont_log[-1] == (1, "IP", "second.example"), m.cgdcont_log
    assert m.commands.count("AT+CGACT=0,1") >= 2, m.commands
    assert st["connection"] == "connected"


def test_data_off_registers_without_a_context(lab, modem):
    """Miscellaneous › Disable data on the LTE module: the modem is driven
    and registered (calls, SMS), its context deactivated and never defined
    or activated; no DHCP client, no uplink. On again: it connects."""
    m = modem()
    d = lab.daemon
    d.ctl_ok("set", "wwan.control_port", m.path)
    d.ctl_ok("set", "wwan.pdp_type", "ipv4")
    d.ctl_ok("set", "wwan.data", "false")
    d.ctl_ok("apply")
    st = wait_status(d, lambda s: s.get("connection") == "data off", 30, "WWAN data off")
    assert st["data"] is False and st["uplink"] is None
    assert st["registration"] == "home" and st["operator"] == OPERATOR
    time.sleep(2)
    assert "AT+CGACT=0,1" in m.commands, m.commands
    assert not [c for c in m.commands if c.startswith("AT+CGDCONT=") or c == "AT+CGACT=1,1"], \
        m.commands
    assert not (st.get("client") or {}).get("running"), st
    assert wwan_status(d)["connection"] == "data off"
    d.ctl_ok("set", "wwan.data", "true")
    d.ctl_ok("apply")
    st = wait_status(d, connected, 40, "the WWAN uplink with data on")
    assert "AT+CGACT=1,1" in m.commands
