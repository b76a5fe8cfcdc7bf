"""
VPN › WireGuard › Server with real tunnels: the router's wg0 (wireguard-go
here: this kernel has no WireGuard) and a peer on the internet side of the
lab (lab_wg.py) that loads the configuration difos generated with `wg
setconf` and ip, as a user's device would. The peer reaches the router, a
LAN host and -- with "Allow All" -- the internet through the router, seen
there with the router's WAN address; adding a second peer does not disturb
the first one's session; bad input is refused with the field and nothing is
staged.
"""

import json
import subprocess
import time

import pytest

from conftest import describe, ns_exec, wait_for
from lab_wg import PEER_ADDR, PEER_DEV, WgPeer

RANGE = "10.77.0.1/24"
RANGE6 = "fd77:77::1/64"
LAN_HOST = "192.168.1.20"


def staged(lab):
    return lab.daemon.ctl_json("changes")


def enable_server(d, port=51820):
    d.ctl_ok("set", "wg_server.address", RANGE)
    d.ctl_ok("set", "wg_server.address6", RANGE6)
    d.ctl_ok("set", "wg_server.listen_port", str(port))
    d.ctl_ok("set", "wg_server.enabled", "true")


def add_peer(d, name):
    nxt = d.ctl_json("call", "wg_server.next_address")
    d.ctl_ok("add", "wg_server.peers", "name=" + name, "address=" + nxt["address"],
             "address6=" + nxt["address6"])
    peers = d.ctl_json("call", "config.get", json.dumps({"path": "wg_server.peers"}))
    return next(p for p in peers if p["name"] == name), nxt


def peer_config(d, peer_id, **kw):
    params = {"id": peer_id, "allow": "all", "endpoint": "wan4"}
    params.update(kw)
    return d.ctl_json("call", "wg_server.peer_config", json.dumps(params))


@pytest.fixture
def wg_lab(lab):
    lab.wait_router_wan()
    lab.client_static(LAN_HOST)
    peer = WgPeer(lab).setup()
    return lab, peer


def test_a_peer_reaches_the_router_the_lan_and_the_internet(wg_lab):
    lab, peer = wg_lab
    d = lab.daemon
    enable_server(d)
    phone, nxt = add_peer(d, "phone")
    assert nxt["address"] == "10.77.0.2" and nxt["address6"] == "fd77:77::2", nxt
    d.ctl_ok("apply")

    st = d.ctl_json("status")["features"]["wg_server"]["detail"]
    assert st["state"] == "up", st
    assert len(st["public_key"]) == 44
    # the private keys never leave through reads
    cfg = d.ctl_json("call", "config.get", json.dumps({"path": "wg_server"}))
    assert cfg["private_key"] == "********", cfg
    assert all(p.get("private_key") == "********" for p in cfg["peers"]), cfg["peers"]
    # the device's file holds the key: root's only
    conf = d.root / "run/difos/active/wg_server/wg0.conf"
    assert conf.stat().st_mode & 0o777 == 0o600, oct(conf.stat().st_mode)

    conf = peer_config(d, phone["id"])
    text = conf["text"]
    assert "PublicKey = %s" % st["public_key"] in text, text
    assert "Endpoint = %s:51820" % lab.router_wan_ipv4() in text, text
    assert "AllowedIPs = 0.0.0.0/0, ::/0" in text, text
    assert "DNS = 10.77.0.1" in text, text
    assert conf["filename"] == "phone.conf"
    peer.up(text)

    # the router in the tunnel, then a LAN host (TCP), both ways through the firewall
    cp = ns_exec(peer.ns, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.77.0.1", timeout=15)
    assert cp.returncode == 0, describe(cp)
    lab.spawn("lan-tcp", lab.lan, ["/usr/bin/python3", str(lab.tmp / "tcpserver.py"),
                                   LAN_HOST, "8090"])
    wait_for(lambda: ns_exec(peer.ns, "nc", "-n", "-w", "2", LAN_HOST, "8090",
                             timeout=6).stdout.strip() == "10.77.0.2", 10,
             what="the LAN host to see the peer's tunnel address")
    # IPv6 inside the tunnel
    cp = ns_exec(peer.ns, "ping", "-6", "-c", "2", "-W", "2", "fd77:77::1", timeout=15)
    assert cp.returncode == 0, describe(cp)
    # Allow All: the internet sees the router's WAN address, not the peer's own
    assert peer.seen_as() == lab.router_wan_ipv4()
    # the router's DNS answers in the tunnel (a TXT record: dnsmasq's rebind
    # guard holds the lab's TEST-NET addresses for private ones)
    cp = ns_exec(peer.ns, "dig", "+time=1", "+tries=2", "+short", "@10.77.0.1", "TXT",
                 "upstream.test", timeout=10)
    assert "from-the-wan" in cp.stdout, describe(cp)

    st = d.ctl_json("status")["features"]["wg_server"]["detail"]
    live = next(p for p in st["peers"] if p["name"] == "phone")
    assert live["latest_handshake"] > 0 and live["rx_bytes"] > 0 and live["tx_bytes"] > 0, live
    assert live["endpoint"].startswith(PEER_ADDR + ":"), live


def test_adding_a_peer_keeps_the_first_ones_session(wg_lab):
    lab, peer = wg_lab
    d = lab.daemon
    enable_server(d)
    phone, _ = add_peer(d, "phone")
    d.ctl_ok("apply")
    peer.up(peer_config(d, phone["id"], allow="lan")["text"])
    cp = ns_exec(peer.ns, "ping", "-c", "2", "-W", "2", "10.77.0.1", timeout=10)
    assert cp.returncode == 0, describe(cp)
    first = peer.handshakes()
    assert first and all(v > 0 for v in first.values()), first

    # a steady stream from the peer while a second peer is added and applied
    pinger = subprocess.Popen(["ip", "netns", "exec", peer.ns, "ping", "-c", "150", "-i",
                               "0.02", "-W", "1", "10.77.0.1"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    time.sleep(0.5)
    add_peer(d, "laptop")
    started = time.monotonic()
    d.ctl_ok("apply")
    took = time.monotonic() - started
    out, _ = pinger.communicate(timeout=30)
    assert " 0% packet loss" in out, out
    assert peer.handshakes() == first, "the first peer made a new handshake"
    st = d.ctl_json("status")["features"]["wg_server"]["detail"]
    assert sorted(p["name"] for p in st["peers"]) == ["laptop", "phone"]
    print("apply adding a peer: %.0f ms (difosctl round trip included)" % (took * 1000))


def test_bad_input_names_the_field_and_stages_nothing(lab):
    d = lab.daemon
    assert staged(lab) == []
    cases = [
        (("set", "wg_server.address", "192.168.1.200/24"), "overlaps the LAN"),
        (("add", "wg_server.peers", "name=x", "address=10.9.0.2",
          "public_key=c2hvcnQ="), "is not a WireGuard key"),
        (("add", "wg_server.peers", "name=x", "address=10.9.0.2",
          "preshared_key=" + "A" * 43 + "B"), "is not a WireGuard key"),
    ]
    for argv, says in cases:
        cp = d.ctl(*argv)
        assert cp.returncode != 0, (argv, describe(cp))
        assert says in cp.stderr + cp.stdout, (argv, describe(cp))
        assert staged(lab) == [], argv
    # a peer outside the range once the range is set
    d.ctl_ok("set", "wg_server.address", RANGE)
    cp = d.ctl("add", "wg_server.peers", "name=x", "address=10.9.0.2")
    assert cp.returncode != 0 and "outside the server's range" in cp.stderr + cp.stdout, describe(cp)
    d.ctl_ok("discard")


def test_traffic_totals_survive_a_restart(wg_lab):
    lab, peer = wg_lab
    d = lab.daemon
    enable_server(d)
    phone, _ = add_peer(d, "phone")
    d.ctl_ok("apply")
    peer.up(peer_config(d, phone["id"], allow="lan")["text"])
    cp = ns_exec(peer.ns, "ping", "-c", "5", "-i", "0.2", "-s", "1000", "-W", "2", "10.77.0.1",
                 timeout=15)
    assert cp.returncode == 0, describe(cp)
    before = next(p for p in d.ctl_json("call", "wg_server.traffic") if p["name"] == "phone")
    assert before["rx_total"] >= 5000 and before["tx_total"] >= 5000, before
    assert before["history"], before

    d.stop()
    d.start()
    wait_for(lambda: d.ctl_json("status")["features"]["wg_server"]["detail"]["state"] == "up",
             20, what="the server up again")
    # the restarted server knows no session: the peer makes a new handshake
    # once its packets go unanswered (WireGuard's REKEY_TIMEOUT, within ~20 s)
    wait_for(lambda: ns_exec(peer.ns, "ping", "-c", "1", "-W", "1", "10.77.0.1",
                             timeout=5).returncode == 0, 40, what="the peer back in the tunnel")
    cp = ns_exec(peer.ns, "ping", "-c", "5", "-i", "0.2", "-s", "1000", "-W", "2", "10.77.0.1",
                 timeout=15)
    assert cp.returncode == 0, describe(cp)
    after = next(p for p in d.ctl_json("call", "wg_server.traffic") if p["name"] == "phone")
    # the device's counters began again at 0: the totals kept what came before
    assert after["rx_total"] >= before["rx_total"] + 5000, (before, after)
