"""
VPN › IPsec against the real daemon and a real strongSwan peer.

    lan ns 192.168.1.20 -- router (difosd, its charon) wan0 -- wan ns -- peer ns
                                                  198.51.100.x  routes   203.0.113.2
                                                                         charon of the test
                                                                           |
                                                                  peer lan ns 10.2.0.10

The peer is a charon of the test's own (its strongswan.conf through
STRONGSWAN_CONF, a private /run by difos-engine-exec --bind-to, its
connections loaded by swanctl from a swanctl.conf the test writes); it only
answers (start_action none), the router starts every tunnel. This kernel
has XFRM without ESP: both charons use the userspace ESP (kernel-libipsec,
the TUN device ipsec0, ESP in UDP 4500). Not exercised: kernel ESP.
"""

import json
import os
import signal
import time

import pytest

import webclient
from conftest import BUILD, describe, ns_exec, run, wait_for

PEER_WAN = "203.0.113.2"
WAN_HOP = "203.0.113.1"
PEER_LAN_GW = "10.2.0.1"
PEER_HOST = "10.2.0.10"
LAN_HOST = "192.168.1.20"
PSK = "correct-horse-battery-staple-42"
PSK_B = "another-long-shared-key-for-b"
PSK_V1 = "ikev1-shared-key-long-enough"

PEER_STRONGSWAN = """charon {
    load = random nonce aes sha1 sha2 md5 hmac gmp curve25519 chapoly openssl gcrypt ctr ccm \
cmac xcbc kdf kernel-libipsec kernel-netlink socket-default vici
    plugins {
        vici {
            socket = unix://%(dir)s/peer.vici
        }
    }
    filelog {
        peer {
            path = %(dir)s/peer-charon.log
            default = 1
            ike_name = yes
            flush_line = yes
        }
    }
}
"""

# every connection the router may ask for; the peer only answers, but for "a",
# which it may start too (the router's WAN address filled in)
PEER_SWANCTL = """connections {
    a {
        version = 2
        remote_addrs = %(router)s
        local { auth = psk
            id = @peer }
        remote { auth = psk
            id = @router }
        proposals = aes256-sha256-modp2048
        children { a {
            local_ts = 10.2.0.0/24
            remote_ts = 192.168.1.0/24
            esp_proposals = aes256-sha256-modp2048,aes128-sha256-modp2048
            start_action = none } }
    }
    b {
        version = 2
        local { auth = psk
            id = @peer-b }
        remote { auth = psk
            id = @router-b }
        proposals = aes256-sha256-modp2048
        children { b {
            local_ts = 10.2.50.0/24
            remote_ts = 192.168.50.0/24
            esp_proposals = aes256-sha256-modp2048,aes128-sha1-modp2048
            start_action = none } }
    }
    gcm {
        version = 2
        local { auth = psk
            id = @peer-gcm }
        remote { auth = psk
            id = @router-gcm }
        proposals = aes256gcm16-prfsha384-ecp384
        children { gcm {
            local_ts = 10.2.0.0/24
            remote_ts = 192.168.1.0/24
            esp_proposals = aes256gcm16-ecp384
            start_action = none } }
    }
    v1 {
        version = 1
        local { auth = psk
            id = @peer-v1 }
        remote { auth = psk
            id = @router-v1 }
        proposals = aes256-sha256-modp2048
        children { v1 {
            local_ts = 10.2.0.0/24
            remote_ts = 192.168.1.0/24
            esp_proposals = aes256-sha256-modp2048
            start_action = none } }
    }
}
secrets {
    ike-a { id = @router
        secret = "%(psk)s" }
    ike-b { id = @router-b
        secret = "%(psk_b)s" }
    ike-v1 { id = @router-v1
        secret = "%(psk_v1)s" }
    ike-gcm { id = @router-gcm
        secret = "%(psk)s" }
}
"""


class Peer:
    """The strongSwan peer: its namespace, its LAN host's, its charon."""

    def __init__(self, lab):
        self.lab = lab
        self.ns = lab.router[:-2] + "-p"
        self.lan = lab.router[:-2] + "-q"
        self.dir = lab.tmp / "peer"
        self.dir.mkdir()
        (self.dir / "run").mkdir()
        for ns in (self.ns, self.lan):
            run(["ip", "netns", "add", ns], check=True)
            lab.namespaces.append(ns)
            ns_exec(ns, "ip", "link", "set", "lo", "up", check=True)
        # wan ns <-> peer: the internet between the two gateways
        run(["ip", "link", "add", "up0", "netns", lab.wan, "type", "veth", "peer", "name",
             "wan0", "netns", self.ns], check=True)
        ns_exec(lab.wan, "ip", "addr", "add", WAN_HOP + "/24", "dev", "up0", check=True)
        ns_exec(lab.wan, "ip", "link", "set", "up0", "up", check=True)
        ns_exec(lab.wan, "sysctl", "-qw", "net.ipv4.ip_forward=1", check=True)
        ns_exec(self.ns, "ip", "addr", "add", PEER_WAN + "/24", "dev", "wan0", check=True)
        ns_exec(self.ns, "ip", "link", "set", "wan0", "up", check=True)
        ns_exec(self.ns, "ip", "route", "add", "default", "via", WAN_HOP, check=True)
        # peer <-> its LAN host
        run(["ip", "link", "add", "lan0", "netns", self.ns, "type", "veth", "peer", "name",
             "eth0", "netns", self.lan], check=True)
        ns_exec(self.ns, "ip", "addr", "add", PEER_LAN_GW + "/24", "dev", "lan0", check=True)
        ns_exec(self.ns, "ip", "addr", "add", "10.2.50.1/24", "dev", "lo", check=True)
        ns_exec(self.ns, "ip", "link", "set", "lan0", "up", check=True)
        ns_exec(self.ns, "sysctl", "-qw", "net.ipv4.ip_forward=1", check=True)
        ns_exec(self.lan, "ip", "addr", "add", PEER_HOST + "/24", "dev", "eth0", check=True)
        ns_exec(self.lan, "ip", "link", "set", "eth0", "up", check=True)
        ns_exec(self.lan, "ip", "route", "add", "default", "via", PEER_LAN_GW, check=True)

        conf = self.dir / "strongswan.conf"
        conf.write_text(PEER_STRONGSWAN % {"dir": self.dir})
        swanctl = self.dir / "swanctl.conf"
        swanctl.write_text(PEER_SWANCTL % {"psk": PSK, "psk_b": PSK_B, "psk_v1": PSK_V1,
                                           "router": lab.router_wan_addr})
        swanctl.chmod(0o600)
        self.swanctl_conf = swanctl
        self.proc = lab.spawn("peer-charon", self.ns, [
            "env", "STRONGSWAN_CONF=%s" % conf, BUILD / "difos-engine-exec",
            "--root", "/", "--bind-to", "%s=/run" % (self.dir / "run"), "--",
            "/usr/lib/ipsec/charon"])
        wait_for(lambda: self.swanctl("--stats").returncode == 0, 10,
                 what=lambda: "the peer's charon\n" + self.log())
        cp = self.swanctl("--load-all", "--file", swanctl)
        assert cp.returncode == 0, describe(cp)

    def swanctl(self, command, *args):
        return ns_exec(self.ns, "swanctl", command, "--uri", "unix://%s/peer.vici" % self.dir,
                       *args, timeout=10)

    def log(self):
        out = ""
        for f in (self.lab.tmp / "peer-charon.log", self.dir / "peer-charon.log"):
            try:
                out += "%s:\n%s\n" % (f.name, f.read_text()[-3000:])
            except OSError:
                pass
        return out


@pytest.fixture
def peer(lab):
    lab.wait_router_wan()
    lab.client_static(LAN_HOST)
    return Peer(lab)


def add_peer(d, name, **fields):
    base = {"remote_gateway": PEER_WAN, "local_networks": "192.168.1.0/24",
            "remote_networks": "10.2.0.0/24", "local_id": "@router", "peer_id": "@peer",
            "psk": PSK}
    base.update(fields)
    args = ["add", "ipsec.peers", "name=" + name]
    args += ["%s=%s" % (k, v) for k, v in base.items()]
    return d.ctl_ok(*args).stdout.strip()


def status(d):
    return d.ctl_json("ipsec-status")


def peer_state(d, name):
    for p in status(d)["peers"]:
        if p["name"] == name:
            return p
    return None


def wait_up(d, name, timeout=20):
    def up():
        p = peer_state(d, name)
        if p and p["state"] == "up" and p["sas"] and p["sas"][0]["children"] and \
                p["sas"][0]["children"][0]["state"] == "INSTALLED":
            return p
        return None
    return wait_for(up, timeout, what=lambda: "tunnel %s up: %s\n%s" % (
        name, json.dumps(peer_state(d, name)), d.log_tail(30)))


def ping(lab, ns, dst, count=3):
    return ns_exec(ns, "ping", "-c", str(count), "-W", "1", "-i", "0.2", dst, timeout=10)


def test_ikev2_tunnel_pings_both_ways(lab, peer):
    d = lab.daemon
    add_peer(d, "site-a")
    d.ctl_ok("apply")
    p = wait_up(d, "site-a")
    assert p["version"] == "ikev2" and p["problem"] is None
    sa = p["sas"][0]
    assert sa["remote_host"] == PEER_WAN and sa["remote_id"] == "peer"
    assert sa["established_ago"] is not None and sa["rekey_in"] > 0
    # hosts of both local networks reach each other
    cp = ping(lab, lab.lan, PEER_HOST)
    assert cp.returncode == 0, describe(cp) + peer.log()
    cp = ping(lab, peer.lan, LAN_HOST)
    assert cp.returncode == 0, describe(cp)
    # the status is read off the loop once a second
    ch = wait_for(lambda: (lambda c: c if c["packets_out"] >= 3 and c["packets_in"] >= 3 and
                           c["bytes_in"] > 0 else None)(
        peer_state(d, "site-a")["sas"][0]["children"][0]), 3,
        what=lambda: "the counters: %s" % peer_state(d, "site-a"))
    assert ch["local_ts"] == ["192.168.1.0/24"] and ch["remote_ts"] == ["10.2.0.0/24"]
    # userspace ESP here: the tunnel's device, and charon's routes in table 220
    routes = d.ctl_json("ipsec-routes")
    assert any(r.get("table") == "220" and r.get("dst") == "10.2.0.0/24" for r in routes), routes
    ifaces = d.ctl_json("ipsec-interfaces")
    assert any(i["name"] == "ipsec0" for i in ifaces), ifaces
    assert any("192.168.1.1/24" in i["addresses"] for i in ifaces), ifaces
    st = wait_for(lambda: (lambda s: s if s["peers"] and s["peers"][0]["state"] == "up"
                           else None)(d.status()["features"]["ipsec"]["detail"]), 3,
                  what=lambda: "the status: %s" % d.status()["features"]["ipsec"])
    assert st["esp"].startswith("userspace")
    # the keys are root's only: the rendered files and charon's socket folder
    assert (d.root / "run/difos/ipsec").stat().st_mode & 0o777 == 0o700
    for f in ("vici.json", "swanctl.conf"):
        assert (d.root / "run/difos/active/ipsec" / f).stat().st_mode & 0o777 == 0o600, f
    # the firewall opened IKE on the WAN
    nft = ns_exec(lab.router, "nft", "list", "chain", "inet", "difos", "input_wan").stdout
    assert "udp dport { 500, 4500 } accept" in nft, nft


def test_aes_gcm_and_elliptic_curve_groups(lab, peer):
    """The proposals most providers and firewalls ask for today: AES-GCM with
    an ECP group (strongSwan's openssl plugin)."""
    d = lab.daemon
    add_peer(d, "gcm", local_id="@router-gcm", peer_id="@peer-gcm",
             ike_proposals="aes256gcm16-prfsha384-ecp384", esp_proposals="aes256gcm16-ecp384")
    d.ctl_ok("apply")
    p = wait_up(d, "gcm")
    sa = p["sas"][0]
    assert "AES_GCM_16" in json.dumps(sa) and "ECP_384" in json.dumps(sa), sa
    cp = ping(lab, lab.lan, PEER_HOST)
    assert cp.returncode == 0, describe(cp) + peer.log()


def test_ikev1_tunnel(lab, peer):
    d = lab.daemon
    add_peer(d, "legacy", version="ikev1", local_id="@router-v1", peer_id="@peer-v1",
             psk=PSK_V1)
    d.ctl_ok("apply")
    p = wait_up(d, "legacy")
    assert p["sas"][0]["version"] == 1
    cp = ping(lab, lab.lan, PEER_HOST)
    assert cp.returncode == 0, describe(cp) + peer.log()


def test_wrong_psk_shows_authentication_failed(lab, peer):
    d = lab.daemon
    add_peer(d, "site-a", psk="not-the-peers-key-at-all")
    d.ctl_ok("apply")
    p = wait_for(lambda: (lambda s: s if s and s["problem"] else None)(peer_state(d, "site-a")),
                 10, what=lambda: "a problem shown: %s" % peer_state(d, "site-a"))
    assert "authentication failed" in p["problem"], p
    assert p["state"] != "up"
    cli = d.ctl_ok("ipsec-status").stdout
    assert "site-a (ikev2): " in cli and "authentication failed" in cli, cli


def test_ikev1_wrong_psk_shows_no_answer_authentication_failed(lab, peer):
    d = lab.daemon
    add_peer(d, "legacy", version="ikev1", local_id="@router-v1", peer_id="@peer-v1",
             psk="not-the-ikev1-key-at-all")
    d.ctl_ok("apply")
    # IKEv1 never says it: each side cannot decrypt what the other sends and
    # drops it; the router retransmits until it gives up
    p = wait_for(lambda: (lambda s: s if s and s["problem"] and "authentication failed?" in
                          s["problem"] else None)(peer_state(d, "legacy")),
                 15, what=lambda: "a problem shown: %s" % peer_state(d, "legacy"))
    assert p["state"] != "up", p
    assert "decryption failed?" in peer.log()


def test_changing_one_tunnel_leaves_the_other_up(lab, peer):
    d = lab.daemon
    add_peer(d, "site-a")
    bid = add_peer(d, "site-b", local_networks="192.168.50.0/24",
                   remote_networks="10.2.50.0/24", local_id="@router-b", peer_id="@peer-b",
                   psk=PSK_B)
    # the router holds an address of site-b's local network (its CHILD_SA's routes)
    ns_exec(lab.router, "ip", "addr", "add", "192.168.50.1/24", "dev", "lo", check=True)
    d.ctl_ok("apply")
    a = wait_up(d, "site-a")
    b = wait_up(d, "site-b")
    a_child = a["sas"][0]["children"][0]
    a_ike = a["sas"][0]["uniqueid"]
    b_child = b["sas"][0]["children"][0]["uniqueid"]
    assert ping(lab, lab.lan, PEER_HOST).returncode == 0
    # a ping through site-a while site-b changes its ESP proposal
    pinger = lab.spawn("pinger", lab.lan, ["ping", "-c", "40", "-i", "0.1", "-W", "1",
                                           PEER_HOST], logname="pinger.log")
    time.sleep(0.5)
    d.ctl_ok("set", "ipsec.peers[%s].esp_proposals" % bid, "aes128-sha1-modp2048")
    d.ctl_ok("apply")

    def b_again():
        p = peer_state(d, "site-b")
        for sa in p["sas"]:
            for ch in sa["children"]:
                if ch["state"] == "INSTALLED" and ch["uniqueid"] != b_child:
                    return ch
        return None
    ch = wait_for(b_again, 20, what=lambda: "site-b's new CHILD_SA: %s" % peer_state(d, "site-b"))
    assert ch["encryption"] == "AES_CBC", ch
    pinger.wait(timeout=15)
    out = (lab.tmp / "pinger.log").read_text()
    assert pinger.returncode == 0 and " 0% packet loss" in out, out
    # site-a was not touched: the same IKE_SA and CHILD_SA, installed before
    a2 = peer_state(d, "site-a")
    assert a2["state"] == "up"
    assert a2["sas"][0]["uniqueid"] == a_ike
    c2 = a2["sas"][0]["children"][0]
    assert c2["uniqueid"] == a_child["uniqueid"], (a_child, c2)
    assert c2["installed_ago"] >= a_child["installed_ago"]

    # site-b removed: its tunnel goes, site-a's stays
    sas = peer.swanctl("--list-sas").stdout
    assert "\nb: #" in "\n" + sas and "\na: #" in "\n" + sas, sas
    d.ctl_ok("delete", "ipsec.peers[%s]" % bid)
    d.ctl_ok("apply")
    wait_for(lambda: "\nb: #" not in "\n" + peer.swanctl("--list-sas").stdout, 10,
             what=lambda: "site-b's SAs to go at the peer: %s" % peer.swanctl("--list-sas").stdout)
    a3 = peer_state(d, "site-a")
    assert a3["state"] == "up" and a3["sas"][0]["uniqueid"] == a_ike, a3
    assert [p["name"] for p in status(d)["peers"]] == ["site-a"]


def test_waiting_tunnel_is_closed_when_it_changes(lab, peer):
    """A peer that waits for the other side: the peer starts it; once its ESP
    proposal changes, the SA of the old one is closed (charon would keep it
    until its rekeying) and the next one the peer starts has the new one."""
    d = lab.daemon
    pid = add_peer(d, "site-a", start_action="none")
    d.ctl_ok("apply")
    time.sleep(0.5)
    assert peer_state(d, "site-a")["state"] == "down"
    cp = peer.swanctl("--initiate", "--child", "a")
    assert cp.returncode == 0, describe(cp) + peer.log()
    ch = wait_up(d, "site-a")["sas"][0]["children"][0]
    first = ch["uniqueid"]
    assert ch["encryption"] == "AES_CBC" and ch["encryption_keysize"] == 256, ch
    d.ctl_ok("set", "ipsec.peers[%s].esp_proposals" % pid, "aes128-sha256-modp2048")
    d.ctl_ok("apply")
    wait_for(lambda: peer_state(d, "site-a")["state"] == "down", 10,
             what=lambda: "the old SA closed: %s" % peer_state(d, "site-a"))
    cp = peer.swanctl("--initiate", "--child", "a")
    assert cp.returncode == 0, describe(cp) + peer.log()
    ch = wait_up(d, "site-a")["sas"][0]["children"][0]
    assert ch["uniqueid"] != first and ch["encryption_keysize"] == 128, ch
    assert ping(lab, lab.lan, PEER_HOST).returncode == 0


def test_unknown_esp_token_is_refused_and_nothing_staged(lab):
    d = lab.daemon
    # over REST: 422, the token, the proposal and the field named
    lab.client_static(LAN_HOST)
    webclient.wait_web(lab.lan, "192.168.1.1")
    c = webclient.Client(lab.lan)
    tok = d.ctl_json("call", "auth.setup_link")["token"]
    r = c.api("POST", "/auth/setup", {"token": tok, "password": "a long web password 42"},
              csrf="login")
    assert r.status == 200, r
    r = c.api("POST", "/config/ipsec/peers", {
        "name": "x", "remote_gateway": PEER_WAN, "local_networks": ["192.168.1.0/24"],
        "remote_networks": ["10.2.0.0/24"], "psk": PSK,
        "esp_proposals": ["aes256-sha256", "aes256-sha256-bogus9"]})
    assert r.status == 422, r
    text = json.dumps(r.json)
    assert "ipsec.peers" in text and "esp_proposals[1]" in text and "bogus9" in text, text
    assert "aes256-sha256-bogus9" in text, text
    assert c.api("GET", "/changes").json == [], "a refused peer staged something"
    cp = d.ctl("add", "ipsec.peers", "name=x", "remote_gateway=" + PEER_WAN,
               "local_networks=192.168.1.0/24", "remote_networks=10.2.0.0/24", "psk=" + PSK,
               "esp_proposals=aes256-sha256,aes256-shaa512")
    assert cp.returncode == 1, describe(cp)
    msg = cp.stdout + cp.stderr
    assert "esp_proposals[1]" in msg and "\"shaa512\"" in msg and "aes256-shaa512" in msg, msg
    assert d.ctl_json("changes") in ([], {}, None) or not d.ctl_json("changes"), \
        d.ctl_json("changes")


def test_quick_commands_answer(lab, peer):
    d = lab.daemon
    # without a peer charon is not running: restart says so
    cp = d.ctl("ipsec-restart")
    assert cp.returncode != 0 and "not running" in cp.stdout + cp.stderr, describe(cp)
    add_peer(d, "site-a")
    d.ctl_ok("apply")
    wait_up(d, "site-a")
    pid = d.status()["features"]["ipsec"]["detail"]["engine"]["pid"]
    st = status(d)
    assert st["running"] is True and (st["version"] or "").startswith("5."), st
    assert st["esp"].startswith("userspace"), st
    res = d.ctl_json("ipsec-restart")
    assert res == {"restarted": True}
    t0 = time.monotonic()
    # another charon, which has its connections back and the tunnel up again
    wait_for(lambda: d.status()["features"]["ipsec"]["detail"]["engine"]["pid"] not in (pid, None), 10,
             what="charon restarted")
    p = wait_for(lambda: (lambda s: s if s["state"] == "up" and
                          s["sas"][0]["established_ago"] <= time.monotonic() - t0 + 1
                          else None)(peer_state(d, "site-a")), 20,
                 what=lambda: "site-a up again: %s" % peer_state(d, "site-a"))
    assert p["sas"][0]["children"][0]["state"] == "INSTALLED"
    assert ping(lab, lab.lan, PEER_HOST).returncode == 0
    assert d.ctl_json("ipsec-interfaces")
    assert d.ctl_json("ipsec-routes")

    # a charon that dies is started again by the supervisor, its connections loaded again
    pid = d.status()["features"]["ipsec"]["detail"]["engine"]["pid"]
    os.kill(pid, signal.SIGKILL)
    t0 = time.monotonic()
    wait_for(lambda: d.status()["features"]["ipsec"]["detail"]["engine"]["pid"] not in (pid, None),
             10, what="charon started again")
    wait_for(lambda: (lambda s: s if s["state"] == "up" and
                      s["sas"][0]["established_ago"] <= time.monotonic() - t0 + 1
                      else None)(peer_state(d, "site-a")), 20,
             what=lambda: "site-a up after charon died: %s" % peer_state(d, "site-a"))
    wait_up(d, "site-a")
    assert ping(lab, lab.lan, PEER_HOST).returncode == 0
