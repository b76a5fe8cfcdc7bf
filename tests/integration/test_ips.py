"""
Services › Intrusion Prevention with real services and real packets: a real
sshd in the router's namespace attacked from the LAN with the real ssh
client, the GUI's login endpoint attacked over HTTPS (IPv4 and IPv6), the
bans checked by connections that must fail -- to the router and through it
to the WAN -- while a bystander's succeed; the kernel's set read back; log
injections (a user name naming the bystander) ban nobody but the sender;
the allowed list, a lifted ban, a ban by hand, the ban time running out,
and a restart of difosd that keeps the bans with their time left.
"""

import json
import os
import time

import pytest

import webclient
from conftest import LAN_ADDR, WAN_SERVER, ns_exec, wait_for
from lab_ips import (ATTACKER, BYSTANDER, Sshd, add_bystander, blocked, can_connect, kernel_set,
                     ssh_fail, wait_banned)

PASSWORD = "correct horse 42"


def configure(d, services, max_retries=3, ban_time="1h", allowed=(), **extra):
    d.ctl_ok("set", "ips.services", json.dumps(services))
    d.ctl_ok("set", "ips.max_retries", str(max_retries))
    d.ctl_ok("set", "ips.ban_time", ban_time)
    for k, v in extra.items():
        d.ctl_ok("set", "ips." + k, v)
    for a in allowed:
        d.ctl_ok("add", "ips.allowed", "address=" + a, "description=test")
    d.ctl_ok("apply")


def status(d):
    return d.ctl_json("status")["features"]["ips"]["detail"]


@pytest.fixture
def ips_lab(lab):
    lab.client_static(ATTACKER)
    add_bystander(lab)
    sshd = Sshd(lab).start()
    return lab, sshd


def open_both_ways(lab, source):
    return (can_connect(lab.lan, LAN_ADDR, 22, source),
            can_connect(lab.lan, WAN_SERVER, 8080, source))


def test_failed_ssh_logins_ban_the_attacker_and_nobody_else(ips_lab):
    lab, sshd = ips_lab
    d = lab.daemon
    configure(d, ["ssh"], ban_time="10s", ssh_source="file", ssh_log=str(sshd.log))
    st = status(d)
    assert st["sources"]["ssh"]["log"] == str(sshd.log), st
    assert status(d)["reader"]["running"], st
    assert open_both_ways(lab, ATTACKER) == (True, True)

    # an unknown user whose name holds the bystander's address (three
    # lines in sshd's log), then a known one: two failures
    assert ssh_fail(lab, user="x from %s port 22" % BYSTANDER) == 255
    assert ssh_fail(lab) == 255
    wait_for(lambda: status(d)["failures"] >= 2, 5, what="two failures counted")
    time.sleep(0.5)
    assert blocked(d)["total"] == 0, blocked(d)
    assert "from %s port 22 from %s" % (BYSTANDER, ATTACKER) in "\n".join(sshd.lines())

    assert ssh_fail(lab) == 255
    ban = wait_banned(d, ATTACKER + "/32")
    t_ban = time.monotonic()
    assert ban["service"] == "ssh" and ban["address"] == ATTACKER, ban
    assert ban["reason"] == "bad password" and "Failed password for root" in ban["line"], ban
    assert 0 < ban["left"] <= 10, ban
    assert ATTACKER in kernel_set(lab), kernel_set(lab)

    # the attacker reaches neither the router nor anything through it;
    # the bystander (the address the injected name named) both
    assert open_both_ways(lab, ATTACKER) == (False, False)
    assert open_both_ways(lab, BYSTANDER) == (True, True)
    assert [b["address"] for b in blocked(d)["bans"]] == [ATTACKER]
    assert status(d)["failures"] == 3, status(d)

    # the kernel lets the ban go when the ban time is up
    wait_for(lambda: can_connect(lab.lan, LAN_ADDR, 22, ATTACKER), 16,
             what="the attacker let in after the ban time")
    assert time.monotonic() - t_ban >= 8
    assert ATTACKER not in kernel_set(lab)
    assert blocked(d)["total"] == 0


def test_allowed_addresses_are_never_banned_and_a_lifted_ban_lets_in_at_once(ips_lab):
    lab, sshd = ips_lab
    d = lab.daemon
    configure(d, ["ssh"], max_retries=2, allowed=[BYSTANDER + "/32"], ssh_source="file",
              ssh_log=str(sshd.log))
    for _ in range(3):
        assert ssh_fail(lab, source=BYSTANDER) == 255
    wait_for(lambda: status(d)["failures"] >= 3, 5, what="the allowed address's failures read")
    time.sleep(0.5)
    assert blocked(d)["total"] == 0
    assert can_connect(lab.lan, LAN_ADDR, 22, BYSTANDER)

    # nor by hand
    cp = d.ctl("call", "ips.ban", json.dumps({"address": BYSTANDER}))
    assert cp.returncode != 0 and "is on the allowed list" in cp.stdout + cp.stderr, cp
    cp = d.ctl("call", "ips.ban", json.dumps({"address": "not-an-address"}))
    assert cp.returncode != 0 and "address: not-an-address is not" in cp.stdout + cp.stderr, cp

    for _ in range(2):
        ssh_fail(lab)
    wait_banned(d, ATTACKER + "/32")
    assert not can_connect(lab.lan, LAN_ADDR, 22, ATTACKER)
    r = d.ctl_json("call", "ips.unban", json.dumps({"address": ATTACKER}))
    assert r["removed"] == 1, r
    assert can_connect(lab.lan, LAN_ADDR, 22, ATTACKER, timeout=1)
    assert ATTACKER not in kernel_set(lab) and blocked(d)["total"] == 0
    # it may be banned again: counted from zero
    ssh_fail(lab)
    time.sleep(0.5)
    assert blocked(d)["total"] == 0
    ssh_fail(lab)
    wait_banned(d, ATTACKER + "/32")


def gui_admin(lab):
    token = lab.daemon.ctl_json("call", "auth.setup_link")["token"]
    c = webclient.Client(lab.lan)
    c.source = BYSTANDER
    r = c.api("POST", "/auth/setup", {"token": token, "password": PASSWORD}, csrf="login")
    assert r.status == 200, r
    return c


def global6(lab, ns, dev):
    cp = ns_exec(ns, "ip", "-j", "-6", "addr", "show", "dev", dev, check=True)
    return [a["local"] for link in json.loads(cp.stdout) for a in link.get("addr_info", [])
            if a.get("scope") == "global" and "local" in a and not a.get("tentative")]


def lan_ipv6(lab):
    """The router's LAN IPv6 address (its ULA) and the client's SLAAC
    address in that /64."""
    wait_for(lambda: global6(lab, lab.router, "br-lan") and global6(lab, lab.lan, "eth0"), 15,
             what="IPv6 on the LAN")
    lab.wait_client_ipv6()
    return global6(lab, lab.router, "br-lan")[0], global6(lab, lab.lan, "eth0")[0]


def test_failed_gui_logins_ban_by_address_and_ipv6_by_prefix(lab):
    lab.client_static(ATTACKER)
    add_bystander(lab)
    webclient.wait_web(lab.lan, LAN_ADDR)
    d = lab.daemon
    admin = gui_admin(lab)
    configure(d, ["gui"], max_retries=3)

    attacker = webclient.Client(lab.lan)
    attacker.source = ATTACKER
    # a user name that tries to forge the bystander as the peer
    assert attacker.login("wrong-1", user="x peer=%s" % BYSTANDER).status == 401
    assert attacker.login("wrong-2").status == 401
    assert attacker.login("wrong-3").status == 401
    ban = wait_banned(d, ATTACKER + "/32")
    assert ban["service"] == "gui" and "login-failed peer=%s" % ATTACKER in ban["line"], ban
    assert not can_connect(lab.lan, LAN_ADDR, 443, ATTACKER)
    assert not can_connect(lab.lan, WAN_SERVER, 8080, ATTACKER)
    # the administrator, from the bystander, goes on; the list shows the ban
    r = admin.api("GET", "/ips/blocked")
    assert r.status == 200 and [b["address"] for b in r.json["bans"]] == [ATTACKER], r

    # IPv6: the offender's whole /64 is banned, IPv4 of the same host is not
    router6, mine6 = lan_ipv6(lab)
    net = mine6.rsplit(":", 4)[0]
    other6 = net + ":1234:5678:9abc:def0"
    ns_exec(lab.lan, "ip", "-6", "addr", "add", other6 + "/64", "dev", "eth0", "nodad",
            check=True)
    v6 = webclient.Client(lab.lan, host=router6, family=webclient.socket.AF_INET6)
    v6.source = mine6
    for i in range(3):
        assert v6.login("wrong-v6-%d" % i).status == 401
    key = [b for b in blocked(d)["bans"] if b["service"] == "gui" and ":" in b["key"]]
    wait_for(lambda: any(":" in b["key"] for b in blocked(d)["bans"]), 10,
             what="the IPv6 ban")
    key = next(b for b in blocked(d)["bans"] if ":" in b["key"])
    assert key["key"].endswith("/64") and key["address"] == mine6, key
    assert not can_connect(lab.lan, router6, 443, other6)
    assert can_connect(lab.lan, LAN_ADDR, 443, BYSTANDER)
    # lifted by the prefix the list shows
    r = admin.api("POST", "/ips/unban", {"address": key["key"]})
    assert r.status == 200 and r.json["removed"] == 1, r
    assert can_connect(lab.lan, router6, 443, other6)


def test_bans_survive_a_restart_and_a_whole_ruleset_load(ips_lab):
    lab, sshd = ips_lab
    d = lab.daemon
    configure(d, ["ssh"], ssh_source="file", ssh_log=str(sshd.log))
    r = d.ctl_json("call", "ips.ban", json.dumps({"address": ATTACKER, "minutes": 3}))
    assert r["key"] == ATTACKER + "/32", r
    assert not can_connect(lab.lan, LAN_ADDR, 22, ATTACKER)
    left = blocked(d)["bans"][0]["left"]

    d.stop()
    d.start()
    lab.wait_router_wan()
    bans = blocked(d)["bans"]
    assert [b["address"] for b in bans] == [ATTACKER] and bans[0]["service"] == "manual", bans
    assert bans[0]["left"] <= left, bans
    assert ATTACKER in kernel_set(lab)
    assert not can_connect(lab.lan, LAN_ADDR, 22, ATTACKER)
    assert can_connect(lab.lan, LAN_ADDR, 22, BYSTANDER)

    # a firewall change that makes the sets anew keeps the bans too
    d.ctl_ok("set", "ips.ipv6_prefix", "56")
    d.ctl_ok("set", "firewall.wan_ping", "false")
    d.ctl_ok("apply")
    assert ATTACKER in kernel_set(lab)
    assert not can_connect(lab.lan, LAN_ADDR, 22, ATTACKER)
    rules = ns_exec(lab.router, "nft", "list", "chain", "inet", "difos", "filter_prerouting",
                    check=True).stdout
    assert "ffff:ffff:ffff:ff00::" in rules, rules


def test_the_reader_runs_as_nobody_under_a_filter(ips_lab):
    lab, sshd = ips_lab
    d = lab.daemon
    configure(d, ["ssh"], ssh_source="file", ssh_log=str(sshd.log))
    pid = status(d)["reader"]["pid"]
    fields = dict(line.split(":\t", 1) for line in
                  open("/proc/%d/status" % pid).read().splitlines() if ":\t" in line)
    assert fields["Uid"].split()[0] == "65534", fields["Uid"]
    assert fields["Groups"].strip() in ("", "65534"), fields["Groups"]
    assert fields["Seccomp"].strip() == "2" and fields["NoNewPrivs"].strip() == "1", fields
    # a frame the writer never makes ends it; the supervisor starts another
    # (the records keep coming: a failure afterwards is still read)
    wait_for(lambda: status(d)["reader"]["running"], 5)


def test_a_log_moved_to_another_file_is_followed_and_difosd_stops_cleanly(lab):
    d = lab.daemon
    first, second = lab.tmp / "auth-1.log", lab.tmp / "auth-2.log"
    first.touch()
    second.touch()
    line = "Nov 30 07:00:00 gw sshd[7]: Failed password for root from %s port 4000 ssh2\n"
    configure(d, ["ssh"], max_retries=1, ssh_source="file", ssh_log=str(first))
    with open(first, "a") as f:
        f.write(line % "198.51.100.7")
    wait_banned(d, "198.51.100.7/32")
    # difosd's stdin (the lab's /dev/null) was not taken for a file's
    assert os.readlink("/proc/%d/fd/0" % d.proc.pid) == "/dev/null"
    # the watch of the first file ends and the second's starts at once
    d.ctl_ok("set", "ips.ssh_log", str(second))
    d.ctl_ok("apply")
    assert status(d)["sources"]["ssh"]["log"] == str(second)
    with open(second, "a") as f:
        f.write(line % "198.51.100.8")
    wait_banned(d, "198.51.100.8/32")
    with open(first, "a") as f:
        f.write(line % "198.51.100.9")
    time.sleep(0.5)
    assert "198.51.100.9/32" not in [b["key"] for b in blocked(d)["bans"]]
    # no file handle left half closed: difosd ends as asked
    assert d.stop() == 0, d.log_tail(20)
