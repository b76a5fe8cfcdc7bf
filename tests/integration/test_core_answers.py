"""
The core never stalls, and gives memory back: while an apply runs (here held in its pause between
switching files and applying), reads are answered at once over the control
socket and the REST API, a second apply is refused saying what runs, and a
change made meanwhile waits for the apply and is kept.
"""

import json
import threading
import time
from pathlib import Path

import pytest

import webclient

from conftest import DIFOSCTL, LAN_ADDR, make_lab, ns_exec
from webclient import Client

PASSWORD = "correct horse 42"
PAUSE_S = 4


@pytest.fixture(scope="module")
def paused_lab(tmp_path_factory):
    gui = tmp_path_factory.mktemp("gui")
    (gui / "index.html").write_text("<!doctype html><title>difos</title>")
    with make_lab(daemon_args=("--gui", str(gui),
                               "--test-apply-pause-ms", str(PAUSE_S * 1000))) as lab:
        lab.client_static("192.168.1.10")
        webclient.wait_web(lab.lan, LAN_ADDR)
        c = Client(lab.lan)
        tok = lab.daemon.ctl_json("call", "auth.setup_link")["token"]
        r = c.api("POST", "/auth/setup", {"token": tok, "password": PASSWORD}, csrf="login")
        assert r.status == 200, r
        lab.admin = c
        yield lab


def timed(fn, *args, **kw):
    t0 = time.monotonic()
    out = fn(*args, **kw)
    return out, time.monotonic() - t0


def timed_in_background(fn, *args, **kw):
    """Starts fn in a thread; returns the thread and a dict that gets the
    answer ("r") and how long it took ("dt")."""
    out = {}

    def run():
        out["r"], out["dt"] = timed(fn, *args, **kw)

    t = threading.Thread(target=run)
    t.start()
    return t, out


def start_cli_apply(lab):
    d = lab.daemon
    bg = lab.spawn("bg-apply", lab.router, [DIFOSCTL, "--root", d.root, "apply"])
    # status says when an apply runs, by whom
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        st = d.status()
        if "applying" in st:
            assert st["applying"]["author"] == "root", st
            return bg
        time.sleep(0.1)
    raise AssertionError("no apply seen running; last status: %r" % (st,))


def test_status_and_reads_answer_during_an_apply(paused_lab):
    lab, d = paused_lab, paused_lab.daemon
    d.ctl_ok("set", "system.hostname", "pausedname")
    bg = start_cli_apply(lab)
    t_started = time.monotonic()

    # a second apply is refused with what runs, not queued behind it
    refused, dt = timed(d.ctl, "apply")
    assert refused.returncode != 0, refused
    assert "an apply by root is running" in refused.stdout + refused.stderr, refused
    assert dt < 1.5, "the refusal waited %.2f s" % dt
    # reads answer at once: difosctl status and REST status, history, config
    st, dt = timed(d.status)
    assert dt < 1.5, "difosctl status took %.2f s during an apply" % dt
    assert st["running"] >= 0
    for path in ("/status", "/history", "/config/system"):
        r, dt = timed(lab.admin.api, "GET", path)
        assert r.status == 200, (path, r)
        assert dt < 1.0, "GET %s took %.2f s during an apply" % (path, dt)
    # the REST door refuses a second apply too, with the same reason
    r = lab.admin.api("POST", "/apply", {})
    assert r.status == 409, r
    assert "is running" in r.error["message"], r
    assert bg.poll() is None, "the apply ended before the reads were made"
    assert time.monotonic() - t_started < PAUSE_S, "the reads waited for the apply"

    assert bg.wait(timeout=60) == 0, "the paused apply failed"
    assert d.ctl_json("get", "system.hostname") == "pausedname"


def test_a_change_made_during_an_apply_waits_and_is_kept(paused_lab):
    lab, d = paused_lab, paused_lab.daemon
    d.ctl_ok("set", "system.hostname", "firstname")
    bg = start_cli_apply(lab)

    # a REST change: answered once the apply has ended, and staged then
    t, results = timed_in_background(lab.admin.api, "PATCH", "/config/system",
                                     {"hostname": "secondname"})
    t.join(timeout=PAUSE_S + 30)
    assert not t.is_alive(), "the change made during the apply never got an answer"
    assert bg.wait(timeout=60) == 0
    r = results["r"]
    assert r.status == 200, r
    assert results["dt"] > 1.0, "the change did not wait for the apply (%.2f s)" % results["dt"]
    # the apply put its own revision in force; the later change is staged on top of it
    assert d.ctl_json("call", "config.get",
                      '{"path": "system.hostname", "running": true}') == "firstname"
    changes = d.ctl_ok("changes").stdout
    assert "secondname" in changes, changes


def test_an_apply_through_rest_answers_when_it_has_ended(paused_lab):
    lab, d = paused_lab, paused_lab.daemon
    r = lab.admin.api("PATCH", "/config/system", {"hostname": "restname"})
    assert r.status == 200, r
    t, results = timed_in_background(lab.admin.api, "POST", "/apply",
                                     {"comment": "through REST"})
    time.sleep(1)
    # meanwhile the same client's other connection reads
    st, dt = timed(lab.admin.api, "GET", "/status")
    assert st.status == 200 and dt < 1.0, (st, dt)
    t.join(timeout=PAUSE_S + 60)
    r = results["r"]
    assert r.status == 200, r
    assert results["dt"] >= PAUSE_S - 1.5, "the apply answered before it had run"
    rev = r.json["revision"]
    hist = d.history()
    assert any(e.get("id") == rev and e.get("comment") == "through REST" for e in hist), hist


# ---- memory after a large apply ------------------------------------------

# RSS means nothing under the sanitizers (quarantine, shadow memory): this
# test runs the plain build of the same sources, which make check builds.
PLAIN_BUILD = Path(__file__).resolve().parents[2] / "build"
BLOCKED = 80000          # country-list entries loaded into one nft set


def rss_kib(pid):
    for line in Path("/proc/%d/status" % pid).read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS for pid %d" % pid)


def test_memory_returns_after_a_large_apply():
    difosd = PLAIN_BUILD / "difosd"
    assert difosd.exists(), "%s is missing: make build first (make check does)" % difosd
    with make_lab(start_daemon=False) as lab:
        d = lab.new_daemon(binary=difosd)
        lists = d.root / "var/lib/difos/lists/countries"
        lists.mkdir(parents=True)
        (lists / "cn.v4").write_text(
            "".join("%d.%d.%d.%d/32\n" % (11 + i // 65536 % 200, i // 256 % 256, i % 256, 1)
                    for i in range(BLOCKED)))
        (lists / "cn.v6").write_text("")
        d.start()
        changes = [
            {"path": "firewall.ip_aliases",
             "value": [{"id": 1, "name": "blocked", "type": "automated", "countries": ["cn"]}]},
            {"path": "firewall.rules",
             "value": [{"id": 1, "index": 1, "description": "listed countries",
                        "src_zone": "wan", "dest_zone": "lan", "src": ["blocked"],
                        "action": "drop"}]},
        ]
        cp = ns_exec(d.ns, str(DIFOSCTL), "--root", str(d.root), "call", "config.set", "-",
                     input=json.dumps({"changes": changes}), timeout=30)
        assert cp.returncode == 0, cp
        before = rss_kib(d.proc.pid)
        d.ctl_ok("apply", timeout=180)
        cp = ns_exec(d.ns, "nft", "list", "set", "inet", "difos", "a4_blocked", timeout=30)
        assert cp.stdout.count(",") >= BLOCKED - 10, "the set was not loaded"
        time.sleep(1)
        after = rss_kib(d.proc.pid)
        assert after < 24 * 1024, (
            "difosd keeps %d KiB one second after the apply (%d KiB before it)" % (after, before))


def test_status_details_follow_each_change(paused_lab):
    """Status keeps the features' details while nothing changes; an apply
    shows in the very next answer."""
    lab, d = paused_lab, paused_lab.daemon
    before = d.status()["features"]["firewall"]["detail"]["rules"]
    d.ctl_ok("add", "firewall.rules", "description=kept", "src_zone=lan", "dest_zone=wan",
             "action=accept")
    d.ctl_ok("apply", timeout=60)
    after = d.status()["features"]["firewall"]["detail"]["rules"]
    assert after == before + 1, (before, after)
