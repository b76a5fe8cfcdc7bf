"""
Transactional applies: failed applies roll back, unconfirmed applies roll
back on their own, a difosd killed mid-apply comes back on the previous
revision, confirmed applies stay. Every test gets a fresh lab and difosd.
"""

import ipaddress
import json
import re
import subprocess
import time

from conftest import (DIFOSCTL, LAN_ADDR, POOL_FIRST, POOL_LAST, describe, find_key, ns_exec, rev_id, run,
                      wait_for)


def confirm_pending(status):
    c = status.get("confirm") if isinstance(status, dict) else None
    if c is None:
        c = find_key(status, "confirm")
    return c or None


def entry(history, rev):
    for e in history:
        if rev_id(e) == rev:
            return e
    raise AssertionError("revision %d not in history: %s" % (rev, json.dumps(history)))


def wait_dns(lab, name, expect, timeout=10):
    wait_for(lambda: lab.resolve(name) == expect, timeout,
             what=lambda: "%s -> %r (last answer %r)" % (name, expect, lab.dig(name)[1]))


# 6 -------------------------------------------------------------------------

def test_rejected_change_rolls_back(lab):
    d = lab.daemon
    lab.client_static("192.168.1.20")
    wait_dns(lab, "difos.lan", [LAN_ADDR])
    rev0 = d.running_rev()
    hist0 = d.history()

    d.ctl_ok("set", "lan.interfaces", "nosuch0")
    cp = d.ctl("apply")
    out = cp.stdout + cp.stderr
    assert cp.returncode == 4, "apply of a bad interface: expected exit 4, %s" % describe(cp)
    # the feature "lan" as a word of its own (not br-lan, lan0, lan.interfaces)
    assert re.search(r"(?<![\w.-])lan(?![\w.-])", out) and "nosuch0" in out, \
        "the failure does not name the feature and the interface: %r" % out

    # nothing new is in force, the change is still staged
    assert d.running_rev() == rev0
    applied = [rev_id(e) for e in d.history() if e.get("state") in ("applied", "pending")]
    assert max(applied) == max(rev_id(e) for e in hist0 if e.get("state") == "applied")
    cp = d.ctl_ok("changes")
    assert "nosuch0" in cp.stdout, "the staged change is gone after the failed apply: %r" % (
        cp.stdout)
    d.ctl_ok("discard")
    assert "nosuch0" not in d.ctl_ok("changes").stdout
    got = d.ctl_json("get", "lan.interfaces")
    assert got == ["lan0"], "lan.interfaces after discard: %r" % (got,)

    # the running state keeps serving
    link = json.loads(ns_exec(lab.router, "ip", "-j", "link", "show", "dev", "lan0").stdout)
    assert link[0].get("master") == "br-lan", "lan0 left the bridge: %r" % link
    addrs = ns_exec(lab.router, "ip", "-4", "-o", "addr", "show", "dev", "br-lan").stdout
    assert "%s/24" % LAN_ADDR in addrs, "br-lan lost its address: %r" % addrs
    env = lab.client_dhcp_ok()
    assert POOL_FIRST <= ipaddress.IPv4Address(env["ip"]) <= POOL_LAST, env
    assert env["router"].split() == [LAN_ADDR], env
    assert lab.resolve("difos.lan") == [LAN_ADDR]


# 7 -------------------------------------------------------------------------

def test_unconfirmed_apply_rolls_back(lab):
    d = lab.daemon
    lab.client_static("192.168.1.20")
    wait_dns(lab, "difos.lan", [LAN_ADDR])
    rev0 = d.running_rev()

    d.ctl_ok("set", "system.hostname", "tmpname")
    cp = d.ctl("apply", "--confirm", "3")
    applied_at = time.monotonic()
    assert cp.returncode == 0, describe(cp)

    st = d.status()
    pending = confirm_pending(st)
    assert pending, "status shows no confirm pending after apply --confirm: %s" % json.dumps(st)
    bad = int(pending["revision"]) if isinstance(pending, dict) and "revision" in pending \
        else d.running_rev()
    assert bad > rev0
    assert entry(d.history(), bad).get("state") == "pending"
    # the change is in force while it waits
    assert lab.resolve("tmpname.lan") == [LAN_ADDR]
    assert time.monotonic() - applied_at < 3, "checks too slow to see the pending state"

    def rolled_back():
        h = d.history()
        newest = h[-1]
        if entry(h, bad).get("state") == "reverted" and rev_id(newest) != bad:
            return h
        return None
    h = wait_for(rolled_back, 15, interval=0.5,
                 what=lambda: "revision %d to be rolled back after its 3 s confirm timeout" % bad)
    assert time.monotonic() - applied_at >= 2.5, "rolled back before the confirm timeout"
    newest = h[-1]
    assert "rollback" in (newest.get("comment") or "").lower(), \
        "newest revision's comment does not mention the rollback: %r" % newest
    assert newest.get("state") == "applied", newest
    assert d.running_rev() == rev_id(newest)
    assert not confirm_pending(d.status()), "a confirm is still pending after the rollback"

    wait_dns(lab, "difos.lan", [LAN_ADDR], timeout=5)
    assert lab.resolve("tmpname.lan") == [], "tmpname still resolves after the rollback"


# 8 -------------------------------------------------------------------------

def test_kill9_during_apply(bare_lab):
    lab = bare_lab
    d = lab.new_daemon()
    d.start("--test-apply-pause-ms", "4000")
    lab.wait_router_wan()
    lab.client_static("192.168.1.20")
    wait_dns(lab, "difos.lan", [LAN_ADDR])
    rev0 = d.running_rev()

    d.ctl_ok("set", "system.hostname", "crashname")
    bg = lab.spawn("bg-apply", lab.router, [DIFOSCTL, "--root", d.root, "apply"])
    time.sleep(1.5)
    assert bg.poll() is None, "apply returned before the test pause (rc=%s)" % bg.returncode
    pid = d.proc.pid
    d.kill9()
    try:
        rc = bg.wait(timeout=15)
    except subprocess.TimeoutExpired:
        raise AssertionError("difosctl apply hangs after difosd was killed")
    assert rc != 0, "difosctl apply reported success although difosd was killed"

    # an engine that dropped privileges (dnsmasq) outlives the crash and
    # keeps serving; the restarted difosd must replace it, not fight it
    old_engines = [p for p in lab.ns_pids(lab.router) if p != pid]

    d.start()
    assert d.running_rev() == rev0, "running revision after the crash is not the one before"
    cp = run(["sqlite3", d.db, "PRAGMA integrity_check"], timeout=20)
    assert cp.stdout.strip() == "ok", "integrity_check: %s" % describe(cp)
    wait_dns(lab, "difos.lan", [LAN_ADDR], timeout=20)
    assert lab.resolve("crashname.lan") == []
    cp = d.ctl_ok("changes")
    assert "crashname" in cp.stdout, "the staged change is lost: %r" % cp.stdout
    # nothing of the interrupted apply is in the history as in force
    assert all(e.get("state") != "applied" or rev_id(e) <= rev0 for e in d.history())
    left = [p for p in old_engines if p in lab.ns_pids(lab.router)]
    assert not left, "engines of the killed difosd still run after the restart: %s" % (
        ", ".join("%d (%s)" % (p, lab.comm(p)) for p in left))
    st = d.status()
    assert st["features"]["dhcp"]["state"] == "ok", st["features"]["dhcp"]


# 9 -------------------------------------------------------------------------

def test_confirmed_apply_stays(lab):
    d = lab.daemon
    lab.client_static("192.168.1.20")
    wait_dns(lab, "difos.lan", [LAN_ADDR])
    rev0 = d.running_rev()

    d.ctl_ok("set", "system.hostname", "keepname")
    d.ctl_ok("apply", "--confirm", "30")
    pending = confirm_pending(d.status())
    assert pending, "no confirm pending after apply --confirm 30"
    rev = d.running_rev()
    assert rev > rev0
    assert entry(d.history(), rev).get("state") == "pending"

    d.ctl_ok("confirm")
    assert entry(d.history(), rev).get("state") == "applied"
    assert not confirm_pending(d.status()), "confirm still pending after confirm"

    time.sleep(4)
    h = d.history()
    assert rev_id(h[-1]) == rev, "a revision appeared after the confirmed one: %s" % h[-1]
    assert entry(h, rev).get("state") == "applied"
    assert d.running_rev() == rev
    wait_dns(lab, "keepname.lan", [LAN_ADDR], timeout=3)
    assert d.ctl_ok("get", "system.hostname").stdout.strip().strip('"') == "keepname"


# supervisor ----------------------------------------------------------------

def test_supervisor_restarts_a_dead_engine(lab):
    """dnsmasq killed behind difosd's back comes back by itself and serves again."""
    d = lab.daemon
    lab.client_static("192.168.1.20")
    wait_dns(lab, "difos.lan", [LAN_ADDR])
    engine = d.status()["features"]["dhcp"]["detail"]["engine"]
    old_pid = engine["pid"]
    assert engine["running"] and old_pid > 0
    ns_exec(lab.router, "kill", "-9", str(old_pid))

    def restarted():
        e = d.status()["features"]["dhcp"]["detail"]["engine"]
        return e if e["running"] and e["pid"] != old_pid else None
    e = wait_for(restarted, 10, what="the supervisor to restart dnsmasq")
    assert e["restarts"] >= 1
    wait_dns(lab, "difos.lan", [LAN_ADDR], timeout=10)
