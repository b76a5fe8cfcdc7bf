"""
The LAN's IPv6 with real hosts in namespaces: the ULA prefix made at first
start (kept across restarts and a reset of the LAN section), each server
mode of "RA and DHCPv6" as a client sees it (rdisc6: flags, prefixes and
lifetimes; the kernel's SLAAC address; dhclient -6 for DHCPv6 addresses
and DNS servers), the router's name answering AAAA, the relay mode with an
upstream router, and bad input refused with nothing staged.
"""

import ipaddress
import re

import pytest

from conftest import CLIENT_MAC, describe, ns_exec, wait_for
from lab_ipv6 import (ISP_ADDR, ISP_NET, TCP6_PORT, Isp, client_dhclient, client_dhcp_addrs,
                      client_default_route6,
                      lan_status, ping6, rdisc6, slaac_addr, tcp6, wait_ra)

ULA_RE = re.compile(r"^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::/48$")


def ula_of(d):
    return d.ctl_json("get", "lan.ipv6.ula")


def ula64(ula):
    """The LAN's /64 of the ULA (subnet 0) and the router's address in it."""
    net = ipaddress.IPv6Network(ula)
    first = next(net.subnets(new_prefix=64))
    return str(first.network_address), str(first.network_address + 1)


def router_has(lab, addr):
    return addr in ns_exec(lab.router, "ip", "-6", "addr", "show", "dev", "br-lan").stdout


def test_ula_generated_once_and_kept(lab):
    d = lab.daemon
    ula = ula_of(d)
    assert isinstance(ula, str) and ULA_RE.match(ula), "not a random fd00::/8 /48: %r" % ula
    # a revision of its own, right after the factory defaults
    hist = d.history()
    assert [h["id"] for h in hist[:2]] == [0, 1], hist
    assert "generated at first start: lan.ipv6.ula" in hist[1]["comment"], hist[1]
    net, addr = ula64(ula)
    wait_for(lambda: router_has(lab, addr + "/64"), 10,
             what="the ULA address %s/64 on br-lan" % addr)

    # a restart keeps it, and makes no new revision
    d.stop()
    d.start()
    assert ula_of(d) == ula
    assert len(d.history()) == len(hist)

    # the LAN section reset to its defaults: the same ULA, not a new one
    d.ctl_ok("set", "lan.ipv6.mode", "slaac")
    d.ctl_ok("apply")
    d.ctl_ok("delete", "lan")
    d.ctl_ok("apply")
    assert d.ctl_json("get", "lan.ipv6.mode") == "slaac_dhcpv6"
    assert ula_of(d) == ula

    # the user may change it
    d.ctl_ok("set", "lan.ipv6.ula", "fd11:2233:4455::/48")
    d.ctl_ok("apply")
    wait_for(lambda: router_has(lab, "fd11:2233:4455::1/64") and not router_has(lab, addr + "/"),
             10, what="the new ULA address replacing the old one on br-lan")

    # reset (deleted): back to the one made at first start, not a new one
    d.ctl_ok("delete", "lan.ipv6.ula")
    d.ctl_ok("apply")
    assert ula_of(d) == ula
    wait_for(lambda: router_has(lab, addr + "/64") and not router_has(lab, "fd11:2233:4455::1/"),
             10, what="the first ULA address back on br-lan")


def test_bad_ipv6_input_is_refused_naming_field_and_value(lab):
    d = lab.daemon
    cases = [("lan.ipv6.ula", "2001:db8::/48", "outside fc00::/7"),
             ("wan.ipv6.pd_length", "65", "65"),
             ("wan.ipv6.pd_length", "40", "48 to 64")]
    for path, value, words in cases:
        cp = d.ctl("set", path, value)
        text = cp.stdout + cp.stderr
        assert cp.returncode != 0, "%s=%s was accepted: %s" % (path, value, describe(cp))
        assert path in text and value in text and words in text, \
            "the error does not name %s, %s (%s): %s" % (path, value, words, text)
    changes = d.ctl_json("changes")
    assert not re.search(r"ipv6", str(changes)), "something was staged: %r" % (changes,)


def test_slaac_and_dhcpv6_mode(lab):
    """The default: SLAAC (A), DHCPv6 addresses (M) and other settings (O), DNS of the router."""
    d = lab.daemon
    ula = ula_of(d)
    net, router = ula64(ula)
    cp, prefixes, flags = wait_ra(lab, lambda p, f: net in p, what="the ULA /64 advertised")
    assert flags == {"M": True, "O": True}, cp.stdout
    assert "from fe80::" in cp.stdout, cp.stdout
    # the ULA never ends: advertised at RFC 9096's limits
    assert prefixes[net] == ("5400", "2700"), cp.stdout
    assert re.search(r"Recursive DNS server\s*:\s*%s" % re.escape(router), cp.stdout), cp.stdout
    slaac = slaac_addr(lab, net)
    assert "via fe80::" in client_default_route6(lab)

    cp, addr, dns = client_dhclient(lab)
    assert cp.returncode == 0 and addr, describe(cp)
    a = ipaddress.IPv6Address(addr)
    assert a in ipaddress.IPv6Network(net + "/64"), addr
    assert 0x1000 <= int(a) & 0xffffffffffffffff <= 0xffff, "outside ::1000-::ffff: %s" % addr
    assert dns == [router], "DHCPv6 DNS servers %r, not the router's %s" % (dns, router)

    # the router's name answers AAAA with its LAN addresses
    out = ns_exec(lab.lan, "dig", "+short", "+time=1", "+tries=3", "@" + router, "difos.lan",
                  "AAAA").stdout.split()
    assert router in out, "difos.lan AAAA: %r" % out
    # the router answers on the ULA from the client's SLAAC address
    assert ping6(lab, lab.lan, router, src=slaac).returncode == 0

    # a configured hostname with an IPv6 address answers AAAA (and A)
    d.ctl_ok("add", "dhcp.hostnames", "name=nas", "ip=192.168.1.51", "ipv6=" + net + "51")
    d.ctl_ok("apply")
    for rtype, want in (("AAAA", net + "51"), ("A", "192.168.1.51")):
        wait_for(lambda: want in ns_exec(lab.lan, "dig", "+short", "+time=1", "+tries=2",
                                         "@" + router, "nas.lan", rtype).stdout, 10,
                 what="nas.lan %s %s" % (rtype, want))


def _duid_of(lease_text):
    """The client's DUID from dhclient's lease file (default-duid "\\000\\001..."), as aa:bb:.."""
    m = re.search(r'default-duid "((?:[^"\\]|\\.)*)"', lease_text)
    assert m, lease_text
    raw = bytes(m.group(1), "latin-1").decode("unicode_escape").encode("latin-1")
    return ":".join("%02x" % b for b in raw)


def _forget_lease(lab):
    """The client keeps its DUID and forgets its lease (else it only confirms it)."""
    f = lab.tmp / "client-dh6.leases"
    keep = [ln for ln in f.read_text().splitlines() if ln.startswith("default-duid")]
    f.write_text("\n".join(keep) + "\n")


def test_static_lease_fixes_the_dhcpv6_address(lab):
    """A static lease's IPv6 suffix: by the client's MAC, then by its DUID."""
    d = lab.daemon
    net, router = ula64(ula_of(d))
    wait_ra(lab, lambda p, f: net in p, what="the ULA /64 advertised")
    cp, addr, _ = client_dhclient(lab)
    assert cp.returncode == 0 and addr, describe(cp)
    d.ctl_ok("add", "dhcp.static_leases", "mac=" + CLIENT_MAC, "ip=192.168.1.50",
             "hostname=laptop", "ipv6_suffix=::42")
    d.ctl_ok("apply")
    want = str(ipaddress.IPv6Address(net) + 0x42)
    _forget_lease(lab)
    cp, addr, _ = client_dhclient(lab)
    # (dnsmasq gives the lease it had too, until it ends)
    assert want in client_dhcp_addrs(lab), "DHCPv6 gave %s, not %s (the suffix by MAC): %s" % (
        client_dhcp_addrs(lab), want, describe(cp))
    # the name answers AAAA with it
    wait_for(lambda: want in ns_exec(lab.lan, "dig", "+short", "+time=1", "+tries=2",
                                     "@" + router, "laptop.lan", "AAAA").stdout, 10,
             what="laptop.lan AAAA %s" % want)

    duid = _duid_of((lab.tmp / "client-dh6.leases").read_text())
    lease_id = d.ctl_json("get", "dhcp.static_leases")[0]["id"]
    d.ctl_ok("set", "dhcp.static_leases[%d].duid" % lease_id, duid)
    d.ctl_ok("set", "dhcp.static_leases[%d].ipv6_suffix" % lease_id, "::43")
    d.ctl_ok("apply")
    want = str(ipaddress.IPv6Address(net) + 0x43)
    _forget_lease(lab)
    cp, addr, _ = client_dhclient(lab)
    assert want in client_dhcp_addrs(lab), "DHCPv6 gave %s, not %s (the suffix by DUID %s): %s" % (
        client_dhcp_addrs(lab), want, duid, describe(cp))


def test_slaac_only_and_pppoe_modes(lab):
    d = lab.daemon
    net, router = ula64(ula_of(d))
    d.ctl_ok("set", "lan.ipv6.mode", "slaac")
    d.ctl_ok("apply")
    cp, prefixes, flags = wait_ra(lab, lambda p, f: net in p and not f["M"] and not f["O"],
                                  what="an RA without M and O")
    slaac_addr(lab, net)
    # no DHCPv6 server in this mode: nothing listens on port 547
    listening = ns_exec(lab.router, "ss", "-H", "-uln", "sport", "=", ":547").stdout
    assert not listening.strip(), "a DHCPv6 server in SLAAC-only mode: " + listening

    d.ctl_ok("set", "lan.ipv6.mode", "pppoe")
    d.ctl_ok("apply")
    cp, prefixes, flags = wait_ra(lab, lambda p, f: net in p and not f["M"] and f["O"],
                                  what="an RA with O and without M")
    # stateless DHCPv6: the DNS server, no address
    cp, addr, dns = client_dhclient(lab, "-S")
    assert cp.returncode == 0, describe(cp)
    assert dns == [router], "stateless DHCPv6 DNS %r, not %s: %s" % (dns, router, describe(cp))
    cp, addr, _ = client_dhclient(lab, timeout=8)
    assert not addr, "an address from stateless DHCPv6: %s" % addr


@pytest.mark.parametrize("mode", ["relay", "hybrid"])
def test_relay_mode_gives_the_upstream_prefix(lab, mode):
    """IPv6 Relay and Hybrid: the upstream's RA, DHCPv6 and NDP relayed; the client reaches
    the upstream; in Hybrid the router answers stateless DHCPv6 with the upstream's DNS."""
    d = lab.daemon
    isp = Isp(lab).up(ra=False)
    # an upstream router that delegates nothing: SLAAC and DHCPv6 on its /64
    lab.spawn("wan-ra6", lab.wan, [
        "dnsmasq", "-k", "--conf-file=/dev/null", "--port=0", "--interface=eth0",
        "--bind-interfaces", "--user=root", "--group=root", "--log-facility=-", "--log-dhcp",
        "--pid-file=%s" % (lab.tmp / "wan-ra6.pid"),
        "--dhcp-leasefile=%s" % (lab.tmp / "wan-ra6.leases"),
        "--enable-ra", "--ra-param=eth0,4,1800",
        "--dhcp-range=%s1000,%s1fff,slaac,64,1h" % (ISP_NET, ISP_NET),
        "--dhcp-option=option6:dns-server,[%s]" % ISP_ADDR])
    d.ctl_ok("set", "lan.ipv6.mode", mode)
    d.ctl_ok("apply")
    st = lan_status(d)
    assert st.get("relay", {}).get("running"), st
    assert not st.get("ra", {}).get("running"), "difos-ra6 still runs in relay mode: %r" % st
    cp, prefixes, flags = wait_ra(lab, lambda p, f: ISP_NET in p, 30,
                                  what="the upstream's /64 relayed")
    addr = slaac_addr(lab, ISP_NET)
    ok = wait_for(lambda: ping6(lab, lab.lan, ISP_ADDR, src=addr).returncode == 0, 20,
                  what="a ping from the relayed client to the upstream")
    assert ok
    cp = tcp6(lab, lab.lan, ISP_ADDR, TCP6_PORT, src=addr)
    assert ("from " + addr) in cp.stdout, describe(cp)
    # dnsmasq serves no DHCPv6 on the LAN: the relayed upstream answers
    cp, dh_addr, dns = client_dhclient(lab)
    assert cp.returncode == 0 and dh_addr.startswith(ISP_NET + "1"), describe(cp)
    assert dns == [ISP_ADDR], dns
    if mode == "hybrid":
        # stateless DHCPv6 answered by the router itself, with the upstream's DNS (its RA's)
        assert flags["O"], "the relayed RA lacks the O flag in hybrid mode"
        cp, _, dns = client_dhclient(lab, "-S")
        assert cp.returncode == 0 and dns == [ISP_ADDR], describe(cp)
        assert "answered here" in d.log.read_text(), "the relay did not answer it itself"
    del isp
