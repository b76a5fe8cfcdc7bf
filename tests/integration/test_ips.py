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
                     ssh_fail, ssh_key_fail, wait_banned)

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
    yield lab, sshd
    sshd.stop()


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
    # lines in sshd's log), then a key that does not fit: two failures
    assert ssh_fail(lab, user="x from %s port 22" % BYSTANDER) == 255
    assert ssh_key_fail(lab) == 255
    wait_for(lambda: status(d)["failures"] >= 2, 5, what="two failures counted")
    assert any("Connection closed by authenticating user root %s" % ATTACKER in ln
               for ln in sshd.lines()), sshd.lines()
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
    # allowed while banned: the apply lifts the ban
    d.ctl_ok("add", "ips.allowed", "address=192.168.1.16/28", "description=moved")
    d.ctl_ok("apply")
    assert blocked(d)["total"] == 0 and ATTACKER not in kernel_set(lab)
    assert can_connect(lab.lan, LAN_ADDR, 22, ATTACKER, timeout=1)


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


def test_failed_gui_logins_ban_by_address_and_ipv6_by_prefix_or_alone(lab):
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

    # IPv6 on the LAN: the offender's /64 is the LAN's own (the router has
    # an address in it), so the offender alone is banned, not its neighbours
    router6, mine6 = lan_ipv6(lab)
    net = mine6.rsplit(":", 4)[0]
    other6 = net + ":1234:5678:9abc:def0"
    ns_exec(lab.lan, "ip", "-6", "addr", "add", other6 + "/64", "dev", "eth0", "nodad",
            check=True)
    v6 = webclient.Client(lab.lan, host=router6, family=webclient.socket.AF_INET6)
    v6.source = mine6
    for i in range(3):
        assert v6.login("wrong-v6-%d" % i).status == 401
    wait_for(lambda: any(":" in b["key"] for b in blocked(d)["bans"]), 10,
             what="the IPv6 ban")
    host = next(b for b in blocked(d)["bans"] if ":" in b["key"])
    assert host["key"] == mine6 + "/128" and host["address"] == mine6, host
    assert mine6 in kernel_set(lab, "dyn_ips6h")
    assert not can_connect(lab.lan, router6, 443, mine6)
    assert can_connect(lab.lan, router6, 443, other6)
    assert can_connect(lab.lan, LAN_ADDR, 443, BYSTANDER)
    r = admin.api("POST", "/ips/unban", {"address": host["key"]})
    assert r.status == 200 and r.json["removed"] == 1, r
    assert can_connect(lab.lan, router6, 443, mine6)

    # IPv6 from the internet: the offender's whole /64 is banned (a host
    # there has all of it to try from). The WAN side gets a /64 of its own,
    # routed by the router through the upstream's address.
    ns_exec(lab.wan, "ip", "-6", "addr", "add", "fd00:99::1/64", "dev", "eth0", "nodad",
            check=True)
    for a in ("fd00:77::10", "fd00:77::20"):
        ns_exec(lab.wan, "ip", "-6", "addr", "add", a + "/128", "dev", "lo", check=True)
    ns_exec(lab.router, "ip", "-6", "addr", "add", "fd00:99::2/64", "dev", "wan0", "nodad",
            check=True)
    ns_exec(lab.router, "ip", "-6", "route", "add", "fd00:77::/64", "via", "fd00:99::1",
            check=True)

    def ping(src):
        return ns_exec(lab.wan, "ping", "-6", "-c", "1", "-W", "1", "-I", src, "fd00:99::2",
                       timeout=5).returncode == 0
    wait_for(lambda: ping("fd00:77::10"), 10, what="IPv6 from the WAN side")
    r = admin.api("POST", "/ips/ban", {"address": "fd00:77::10", "minutes": 5})
    assert r.status == 200 and r.json["key"] == "fd00:77::/64", r
    assert "fd00:77::" in kernel_set(lab, "dyn_ips6")
    assert not ping("fd00:77::10") and not ping("fd00:77::20")
    assert ping("fd00:99::1")
    r = admin.api("POST", "/ips/unban", {"address": "fd00:77::/64"})
    assert r.status == 200 and r.json["removed"] == 1, r
    assert ping("fd00:77::20")


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


def test_failed_sip_registrations_through_asterisk_ban_the_phone(tmp_path):
    """Real REGISTERs with a wrong password (and an unknown account) to the
    PBX's Asterisk: its security log's ChallengeResponseFailed and
    InvalidAccountID events ban the phone's address; a phone of the
    bystander's address, with the right password, goes on registering."""
    import os
    import pbx_lab
    import tempfile
    from pathlib import Path
    from conftest import make_lab
    from test_pbx import Phones

    root = pbx_lab.engine_root()
    pbx_lab.INSTANCES.mkdir(parents=True, exist_ok=True)
    with make_lab(daemon_args=("--pbx-root", str(root))) as lab:
        lab.phones_dir = Path(tempfile.mkdtemp(prefix="%d-difos-ips-" % os.getpid(),
                                               dir=pbx_lab.INSTANCES))
        os.chmod(lab.phones_dir, 0o755)
        lab.client_static(ATTACKER)
        add_bystander(lab)
        d = lab.daemon
        d.ctl_ok("add", "extensions.list", "name=Alice", "number=1001",
                 "password=Tr0ub4dor&3-horse", "qualify=false")
        # each refused request counts once: a wrong password's REGISTER
        # (the first, unauthenticated one is only challenged), and both
        # REGISTERs of an account that does not exist
        configure(d, ["asterisk"], max_retries=4)
        attacker = Phones(lab, lab.lan, ATTACKER, LAN_ADDR)
        bystander = Phones(lab, lab.lan, BYSTANDER, LAN_ADDR)
        ok = bystander.register("1001", "Tr0ub4dor&3-horse", 5070)
        assert ok.ok, ok.describe()

        bad = attacker.register("1001", "not-the-password", 5061)
        assert bad.responses == [401, 401], bad.describe()
        # an account that does not exist
        bad = attacker.register("1999", "whatever-it-is", 5062)
        assert 401 in bad.responses and not bad.ok, bad.describe()
        # an account name that carries a whole forged RemoteAddress field
        # (%22 is a quote once Asterisk unescapes the URI; Asterisk keeps 36
        # characters of a name, so the forged one is short): the line then
        # names two addresses and is refused -- nobody is counted for it
        forged = "%22,RemoteAddress=%22IPV4/U/10.0.0.9/1"
        attacker.sipp("reg-forged", "register.xml", "-p", 5065, "-s", forged, "-au", "x",
                      "-ap", "whatever-it-is", "-timeout", "3s", "-timeout_error").run(8)
        log = (d.root / "var/lib/difos/pbx/log/security.log").read_text()
        assert 'AccountID="",RemoteAddress="IPV4/U/10.0.0.9/1",' in log, log
        time.sleep(0.5)
        assert blocked(d)["total"] == 0, (d.root / "var/lib/difos/pbx/log/security.log").read_text()
        assert status(d)["failures"] == 3, status(d)
        attacker.register("1001", "still-not-it", 5063)
        ban = wait_banned(d, ATTACKER + "/32")
        assert ban["service"] == "asterisk", ban
        assert ban["reason"] in ("ChallengeResponseFailed", "InvalidAccountID",
                                 "InvalidPassword"), ban
        assert "SecurityEvent=\"%s\"" % ban["reason"] in ban["line"], ban
        assert "RemoteAddress=\"IPV4/UDP/%s/" % ATTACKER in ban["line"], ban
        log = d.root / "var/lib/difos/pbx/log/security.log"
        assert "ChallengeResponseFailed" in log.read_text(), log

        # the attacker's REGISTERs go unanswered; the bystander registers
        late = attacker.register("1001", "Tr0ub4dor&3-horse", 5064, timeout=3)
        assert not late.ok and not late.responses, late.describe()
        ok = bystander.register("1001", "Tr0ub4dor&3-horse", 5071)
        assert ok.ok, ok.describe()
        assert [b["address"] for b in blocked(d)["bans"]] == [ATTACKER]


def test_turned_off_it_stops_following_the_logs_and_difosd_goes_on(ips_lab):
    """Its services emptied (as the GUI's General tab does): the logs are no
    longer followed, the reader stops, and difosd keeps running and stops
    cleanly (a followed file's watch used to be freed while libuv still
    closed it: difosd aborted)."""
    lab, sshd = ips_lab
    d = lab.daemon
    configure(d, ["ssh", "gui"], ssh_source="file", ssh_log=str(sshd.log))
    st = status(d)
    assert sorted(st["sources"]) == ["gui", "ssh"] and st["reader"]["running"], st
    d.ctl_ok("set", "ips.services", "[]")
    d.ctl_ok("apply")
    time.sleep(0.5)
    assert d.alive(), "difosd ended when intrusion prevention was turned off"
    st = status(d)
    assert st["services"] == [] and st["sources"] == {}, st
    wait_for(lambda: not status(d)["reader"]["running"], 5, what="the reader to stop")
    # on again, then off again: the same files watched anew and let go
    configure(d, ["ssh", "gui"], ssh_source="file", ssh_log=str(sshd.log))
    assert sorted(status(d)["sources"]) == ["gui", "ssh"]
    d.ctl_ok("set", "ips.services", "[]")
    d.ctl_ok("apply")
    assert d.alive()
    assert d.stop() == 0


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


def test_sshd_read_from_the_journal(lab, request):
    """Debian 12 writes no auth.log by default: sshd's lines are in the
    systemd journal. With the SSH log on Automatic, difosd finds journald's
    socket and follows the journal with journalctl (below its root)."""
    lab.client_static(ATTACKER)
    add_bystander(lab)
    d = lab.daemon
    sshd = Sshd(lab).start_in_journal(d.root)
    request.addfinalizer(sshd.stop)
    configure(d, ["ssh"], max_retries=2)
    st = status(d)
    assert st["sources"]["ssh"]["log"] == "journal", st
    wait_for(lambda: status(d)["journal"]["running"], 5, what="journalctl")
    assert "--root=%s" % d.root in status(d)["journal"]["argv"], status(d)["journal"]
    ssh_fail(lab)
    ssh_fail(lab, user="x from %s port 22" % BYSTANDER)
    ban = wait_banned(d, ATTACKER + "/32")
    assert ban["line"].startswith("Failed password for") or ban["line"].startswith("Invalid"), ban
    assert not can_connect(lab.lan, LAN_ADDR, 22, ATTACKER)
    assert can_connect(lab.lan, LAN_ADDR, 22, BYSTANDER)


def test_a_ban_runs_no_program_and_loads_no_ruleset(ips_lab):
    """A ban is one netlink transaction on a socket kept open: difosd starts
    no program (no nft) and the ruleset is not loaded again (its rules keep
    their handles)."""
    from lab_trace import programs_run_during
    lab, sshd = ips_lab
    d = lab.daemon
    configure(d, ["ssh"], max_retries=1, ssh_source="file", ssh_log=str(sshd.log))

    def handles():
        return ns_exec(lab.router, "nft", "-a", "list", "table", "inet", "difos",
                       check=True).stdout

    before = handles()
    ran = programs_run_during(lab, lambda: (ssh_fail(lab), wait_banned(d, ATTACKER + "/32")))
    # (the lab's WAN has no DHCPv6 server: the supervisor starts dhclient -6
    # again now and then, which is no part of a ban)
    ran = [ln for ln in ran if "dhclient" not in ln and "dhcp6-event" not in ln]
    assert ran == [], ran
    assert ATTACKER in kernel_set(lab)
    after = handles()
    strip = [ln for ln in after.splitlines() if "elements" not in ln and "expires" not in ln]
    assert strip == [ln for ln in before.splitlines() if "elements" not in ln], after
