"""
The PBX through difos, with real SIP: difosd runs Asterisk from the engine
root, configured only through difos (difosctl here; the REST API and the
GUI stage the same documents). Phones are sipp endpoints in the LAN
namespace; the trunk's provider is a sipp in the WAN namespace.

One lab serves the module; each test stages what it needs on top of the
two extensions every test has (1001 records, 1002 answers).
"""
import base64
import json
import os
import re
import shutil
import sqlite3
import struct
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest

import pbx_lab
from conftest import LAN_ADDR, WAN_SERVER, make_lab, ns_exec, wait_for
from webclient import Client

CLIENT = "192.168.1.50"
ALICE, ALICE_PW = "1001", "Tr0ub4dor&3-horse"
BOB, BOB_PW = "1002", "correct-Horse-battery-9"
# the phones' SIP and RTP ports in the LAN namespace
ALICE_SIP, BOB_SIP, ALICE_RTP, BOB_RTP = 5061, 5070, 6000, 6100
PROVIDER_SIP, PROVIDER_RTP = 5080, 6200


class Phones(pbx_lab.PbxLab):
    """pbx_lab's sipp runners, from a namespace of a difos lab to the router."""

    def __init__(self, lab, ns, addr, target, port=6067):
        """Its files go below lab.phones_dir, which the engine root's SIPp sees."""
        self.peer, self.peer_addr = ns, addr
        self.sip_host, self.sip_port = target, port
        self.procs = lab.procs
        self.tmp = Path(tempfile.mkdtemp(prefix="phones-", dir=lab.phones_dir))
        os.chmod(self.tmp, 0o755)
        self.scenarios = self.tmp / "scenarios"
        shutil.copytree(pbx_lab.SCENARIOS, self.scenarios)
        self._tls_client = None
        self.namespaces, self.asterisks, self.captures = [], [], []
        self.pbx = lab.router


@pytest.fixture(scope="module")
def pbx():
    root = pbx_lab.engine_root()
    pbx_lab.INSTANCES.mkdir(parents=True, exist_ok=True)
    with make_lab(daemon_args=("--pbx-root", str(root))) as lab:
        lab.phones_dir = Path(tempfile.mkdtemp(prefix="%d-difos-" % os.getpid(),
                                               dir=pbx_lab.INSTANCES))
        os.chmod(lab.phones_dir, 0o755)
        d = lab.daemons[0]
        lab.client_static(CLIENT)
        # sipp phones answer nothing between their scenarios, so they are
        # not asked (qualify) whether they answer: see test_a_silent_phone_*
        d.ctl_ok("add", "extensions.list", "name=Alice", "number=" + ALICE, "password=" + ALICE_PW,
                 "recording=true", "outbound_cid=+97142142050", "qualify=false")
        d.ctl_ok("add", "extensions.list", "name=Bob", "number=" + BOB, "password=" + BOB_PW,
                 "qualify=false")
        apply_ok(d)
        lab.phones = Phones(lab, lab.lan, CLIENT, LAN_ADDR)
        try:
            yield lab
        finally:
            shutil.rmtree(lab.phones_dir, ignore_errors=True)


@pytest.fixture(autouse=True)
def no_leftover_phones(pbx):
    """A test that failed half way leaves no sipp holding a phone's port."""
    yield
    for name, p in pbx.procs:
        if name == "sipp" and p.poll() is None:
            p.kill()
            p.wait(5)


def apply_ok(d, timeout=60):
    cp = d.ctl("apply", timeout=timeout)
    assert cp.returncode == 0, "apply failed: %s\n%s" % (cp.stdout + cp.stderr, d.log_tail())
    return cp


def pbx_detail(d):
    return d.ctl_json("status")["features"]["pbx"]["detail"]


def engine_pid(d):
    return pbx_detail(d)["engine"]["pid"]


def pbx_dir(d, *parts):
    return d.root.joinpath("var/lib/difos/pbx", *parts)


def cdr_calls(d, *filters):
    """pbx.cdr through difosctl: filters are KEY=VALUE."""
    return d.ctl_json("cdr", *filters)


def test_asterisk_runs_from_difos_with_its_files(pbx):
    d = pbx.daemons[0]
    det = pbx_detail(d)
    assert det["engine"]["running"], det
    # difos's own manager connection is up once the apply is done
    assert det["manager"]["state"] == "connected", det["manager"]
    pid = det["engine"]["pid"]
    # chrooted in the engine root, as the engine root's asterisk user
    assert os.path.realpath("/proc/%d/root" % pid) == str(pbx_lab.ENGINE_ROOT)
    status = open("/proc/%d/status" % pid).read()
    uid = int([ln for ln in status.splitlines() if ln.startswith("Uid:")][0].split()[1])
    assert uid != 0
    # the files it reads: its group's only; the secrets never world-readable
    etc = d.root / "run/difos/pbx/etc"
    for f in ("pjsip.conf", "manager_user.conf", "tls.key"):
        assert (etc / f).stat().st_mode & 0o007 == 0, f


def test_extensions_register_and_a_wrong_password_is_refused(pbx):
    d, ph = pbx.daemons[0], pbx.phones
    a = ph.register(ALICE, ALICE_PW, ALICE_SIP)
    assert a.ok and a.responses == [401, 200], a.describe()
    b = ph.register(BOB, BOB_PW, BOB_SIP)
    assert b.ok, b.describe()
    bad = ph.register(ALICE, "not-alices-password", 5062)
    assert bad.rc == 1 and bad.responses == [401, 401], bad.describe()

    def contacts():
        return pbx_detail(d)["contacts"]
    # the status shows where each extension is registered, and with what
    wait_for(lambda: BOB in contacts() and ALICE in contacts(), 10, what="contacts in status")
    c = contacts()
    assert any("%s:%d" % (CLIENT, ALICE_SIP) in x["uri"] for x in c[ALICE]), c
    assert all(":5062" not in x["uri"] for x in c[ALICE]), c
    assert c[ALICE][0]["user_agent"] == "sipp-test" or c[ALICE][0].get("user_agent"), c


def test_a_call_between_extensions_carries_audio_and_is_recorded(pbx):
    d, ph = pbx.daemons[0], pbx.phones
    assert ph.register(ALICE, ALICE_PW, ALICE_SIP).ok
    assert ph.register(BOB, BOB_PW, BOB_SIP).ok
    before = cdr_calls(d)["total"]
    cap = ph.capture(filt="udp and not port 6067 and not port 53 and not port 67")
    bob = ph.answer(BOB_SIP, BOB_RTP)
    alice = ph.call(ALICE, ALICE_PW, BOB, ALICE_SIP, ALICE_RTP, talk_ms=2500)
    # the call shows in the status while it is up: both legs
    wait_for(lambda: {(c.get("caller"), c.get("state"), c.get("leg"))
                      for c in pbx_detail(d)["calls"]} == {(ALICE, "Up", "caller"),
                                                            (BOB, "Up", "callee")},
             5, interval=0.1, what="the call's two legs in the status")
    ra, rb = alice.wait(30), bob.wait(10)
    packets = ph.capture_packets(cap)
    wait_for(lambda: pbx_detail(d)["calls"] == [], 5, what="the call gone from the status")
    # no name was looked up for the call (RTCP's own address: the host name
    # resolves without DNS in the engine root)
    log = pbx_dir(d, "log", "messages.log").read_text()
    assert "ROOT-SERVERS" not in log and "Unable to lookup" not in log, log[-2000:]
    assert ra.ok, ra.describe()
    assert rb.ok, rb.describe()

    def between(src, dst):
        return sum(n for (s, t), n in packets.items() if s.startswith(src) and t.startswith(dst))
    legs = {
        "caller to pbx": between("%s.%d" % (CLIENT, ALICE_RTP), LAN_ADDR + "."),
        "pbx to callee": between(LAN_ADDR + ".", "%s.%d" % (CLIENT, BOB_RTP)),
        "callee to pbx": between("%s.%d" % (CLIENT, BOB_RTP), LAN_ADDR + "."),
        "pbx to caller": between(LAN_ADDR + ".", "%s.%d" % (CLIENT, ALICE_RTP)),
    }
    assert all(n >= 40 for n in legs.values()), (legs, packets)
    # the call record, in Asterisk's SQLite store, read through difos:
    # from 1001 to 1002, answered, with its recording
    wait_for(lambda: cdr_calls(d)["total"] > before, 5, what="a call record")
    row = cdr_calls(d, "number=" + ALICE, "limit=1")["calls"][0]
    assert (row["src"], row["dst"], row["disposition"]) == (ALICE, BOB, "ANSWERED"), row
    assert row["trunk"] is None and row["billsec"] >= 2 and row["duration"] >= row["billsec"], row
    assert row["recording"] and row["recording"].endswith(".wav"), row
    path = pbx_dir(d, "recordings", row["recording"])
    wait_for(path.exists, 5, what="the recording file")
    assert path.stat().st_size > 10000, path.stat()


# ---- PBX › Call Detail Records ---------------------------------------------


def cdr_db(d):
    """Asterisk's own call records' database (cdr_sqlite3_custom)."""
    return sqlite3.connect(str(pbx_dir(d, "log", "master.db")), timeout=5)


def cdr_insert(d, start, src, dst, disposition="ANSWERED", channel="PJSIP/1001-00000001",
               dstchannel="", userfield="", billsec=0):
    """A row as Asterisk writes it: every value text, the times unparsed."""
    with cdr_db(d) as db:
        db.execute("INSERT INTO cdr (start, answer, end, duration, billsec, src, dst, clid, "
                   "channel, dstchannel, lastapp, disposition, uniqueid, userfield) VALUES "
                   "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'Dial', ?, ?, ?)",
                   ("%d.000000" % start, "0.000000", "%d.000000" % (start + 5), "5",
                    str(billsec), src, dst, '"" <%s>' % src, channel, dstchannel,
                    disposition, "%d.1" % start, userfield))


def recorded_call(pbx):
    """The newest answered call from Alice with a recording (made if none)."""
    d, ph = pbx.daemons[0], pbx.phones
    calls = cdr_calls(d, "number=" + ALICE, "disposition=ANSWERED")["calls"]
    rows = [c for c in calls if c["recording"] and c["src"] == ALICE]
    if not rows:
        assert ph.register(ALICE, ALICE_PW, ALICE_SIP).ok
        assert ph.register(BOB, BOB_PW, BOB_SIP).ok
        bob = ph.answer(BOB_SIP, BOB_RTP)
        alice = ph.call(ALICE, ALICE_PW, BOB, ALICE_SIP, ALICE_RTP, talk_ms=2500)
        assert alice.wait(30).ok and bob.wait(10).ok
        wait_for(lambda: cdr_calls(d, "number=" + ALICE)["total"] > 0, 5, what="a call record")
        rows = [c for c in cdr_calls(d, "number=" + ALICE)["calls"] if c["recording"]]
    path = pbx_dir(d, "recordings", rows[0]["recording"])
    wait_for(path.exists, 5, what="the recording file")
    return rows[0], path


def recording_url(file, offset=0, length=None):
    q = {"file": file, "offset": offset}
    if length is not None:
        q["length"] = length
    return "/pbx/recording?" + urllib.parse.urlencode(q)


def test_a_recording_downloads_in_pieces_through_rest_and_the_cli(pbx):
    d = pbx.daemons[0]
    row, path = recorded_call(pbx)
    on_disk = path.read_bytes()
    # a script with a read-only API token, as the GUI does with its session
    web = Client(pbx.lan, LAN_ADDR)
    web.bearer = d.ctl_json("token-create", "recordings", "read-only")["token"]
    got, offset, pieces = b"", 0, 0
    while True:
        r = web.api("GET", recording_url(row["recording"], offset, 4000))
        assert r.status == 200, r
        assert (r.json["file"], r.json["offset"], r.json["size"]) == \
            (row["recording"], offset, len(on_disk)), r.json
        piece = base64.b64decode(r.json["data"])
        assert len(piece) == r.json["length"] <= 4000
        got += piece
        offset += len(piece)
        pieces += 1
        if offset >= r.json["size"]:
            break
    assert pieces == (len(on_disk) + 3999) // 4000 and pieces >= 3
    assert got == on_disk
    # a WAV of 8 kHz audio
    assert got[:4] == b"RIFF" and got[8:12] == b"WAVE" and got[12:16] == b"fmt ", got[:16]
    assert struct.unpack("<I", got[24:28])[0] == 8000
    # the whole file in one piece by default (it is below 1 MiB)
    r = web.api("GET", recording_url(row["recording"]))
    assert r.status == 200 and base64.b64decode(r.json["data"]) == on_disk
    # difosctl writes the pieces into a file
    out = Path(pbx.tmp) / "downloaded.wav"
    d.ctl_ok("recording", row["recording"], str(out))
    assert out.read_bytes() == on_disk and out.stat().st_mode & 0o077 == 0

    # names outside the folder are refused before anything is opened
    for bad in ("../log/master.db", "..", "/etc/passwd", "sub/x.wav", ".hidden"):
        r = web.api("GET", recording_url(bad))
        assert r.status == 422 and r.error["path"] == "file", (bad, r)
        assert "is not a recording's file name" in r.error["message"], r.error
        assert "no '/', no '..'" in r.error["message"], r.error
    cp = d.ctl("recording", "../log/master.db", str(out))
    assert cp.returncode != 0 and "file:" in cp.stderr and "../log/master.db" in cp.stderr, cp
    r = web.api("GET", recording_url("20200101-000000-1.1.wav"))
    assert r.status == 404 and r.error["path"] == "file", r
    # a link inside the folder is not followed
    link = path.parent / "link.wav"
    link.symlink_to(pbx_dir(d, "ami.secret"))
    try:
        assert web.api("GET", recording_url("link.wav")).status == 404
    finally:
        link.unlink()
    # pieces are at most 1 MiB; an offset past the end is named
    r = web.api("GET", recording_url(row["recording"], 0, 1024 * 1024 + 1))
    assert r.status == 422 and r.error["path"] == "length", r
    r = web.api("GET", recording_url(row["recording"], len(on_disk) + 1))
    assert r.status == 422 and r.error["path"] == "offset", r


def test_call_records_filter_by_number_date_and_result(pbx):
    d = pbx.daemons[0]
    recorded_call(pbx)   # the table exists once Asterisk wrote a call
    # two days well inside the retention (the core's prune may run meanwhile)
    y, m, dd = time.localtime(time.time() - 10 * 86400)[:3]
    first = int(time.mktime((y, m, dd, 10, 0, 0, 0, 0, -1)))
    y, m, dd = time.localtime(first + 86400)[:3]
    second = int(time.mktime((y, m, dd, 23, 59, 0, 0, 0, -1)))
    day1, day2 = time.strftime("%Y-%m-%d", time.localtime(first)), \
        time.strftime("%Y-%m-%d", time.localtime(second))
    day3 = time.strftime("%Y-%m-%d", time.localtime(second + 86400))
    cdr_insert(d, first, "0501234567", "2142050", "NO ANSWER",
               channel="PJSIP/trunk-office-0000000a", dstchannel="PJSIP/1002-0000000b")
    cdr_insert(d, second, "1002", "80509876543", "ANSWERED", channel="PJSIP/1002-0000000c",
               dstchannel="PJSIP/trunk-office-0000000d", userfield="recording=x-1.wav",
               billsec=4)
    cdr_insert(d, second - 60, "1002", "80509876000", "BUSY")

    def numbers(*f):
        r = cdr_calls(d, *f)
        return [(c["src"], c["dst"]) for c in r["calls"]], r["total"]
    # a number anywhere in the caller or the called number
    assert numbers("number=050123") == ([("0501234567", "2142050")], 1)
    assert numbers("number=0509876") == ([("1002", "80509876543"), ("1002", "80509876000")], 2)
    # dates are local days; a "to" date includes its day; epoch seconds too
    assert numbers("from=" + day1, "to=" + day1)[1] == 1
    assert numbers("from=" + day2, "to=" + day2)[1] == 2
    assert numbers("from=" + day1, "to=" + day2)[1] == 3
    assert numbers("from=" + day2 + "T23:59", "to=" + day3)[1] == 1
    assert numbers("from=%d" % first, "to=%d" % (first + 1))[1] == 1
    # by result, and a page at a time with the total
    assert numbers("from=" + day1, "to=" + day2, "disposition=BUSY") == \
        ([("1002", "80509876000")], 1)
    page = cdr_calls(d, "from=" + day1, "to=" + day2, "limit=2", "offset=1")
    assert page["total"] == 3 and [c["dst"] for c in page["calls"]] == \
        ["80509876000", "2142050"], page
    # each row: its trunk from the channel names, its recording, its time
    rows = {c["dst"]: c for c in cdr_calls(d, "from=" + day1, "to=" + day2)["calls"]}
    assert rows["2142050"]["trunk"] == "office" and rows["2142050"]["recording"] is None
    assert rows["80509876543"]["trunk"] == "office"
    assert rows["80509876543"]["recording"] == "x-1.wav" and rows["80509876543"]["billsec"] == 4
    assert rows["80509876000"]["trunk"] is None
    assert rows["2142050"]["start"] == first
    assert rows["2142050"]["time"].startswith(time.strftime("%Y-%m-%dT%H:%M:%S",
                                                            time.localtime(first)))
    # bad filters name the field
    cp = d.ctl("cdr", "from=2026-02-30")
    assert cp.returncode != 0 and "from:" in cp.stderr and "2026-02-30" in cp.stderr, cp
    cp = d.ctl("cdr", "number=1' OR 1=1")
    assert cp.returncode != 0 and "number" in cp.stderr, cp
    cp = d.ctl("cdr", "limit=1001")
    assert cp.returncode != 0 and "limit" in cp.stderr, cp
    cp = d.ctl("cdr", "disposition=LOST")
    assert cp.returncode != 0 and "disposition" in cp.stderr, cp
    # the filters are bound, never part of the query: quotes find nothing
    with cdr_db(d) as db:
        before = db.execute("SELECT count(*) FROM cdr").fetchone()[0]
    web = Client(pbx.lan, LAN_ADDR)
    web.bearer = d.ctl_json("token-create", "cdr-reader", "read-only")["token"]
    r = web.api("GET", "/pbx/cdr?" + urllib.parse.urlencode({"number": "050123",
                                                              "to": day1}))
    assert r.status == 200 and r.json["total"] == 1, r
    with cdr_db(d) as db:
        assert db.execute("SELECT count(*) FROM cdr").fetchone()[0] == before


def test_calls_today_counts_since_local_midnight(pbx):
    d = pbx.daemons[0]
    recorded_call(pbx)
    today = d.ctl_json("calls-today")
    assert today["total"] >= 1 and today["answered"] >= 1, today
    midnight = int(time.mktime(time.localtime()[:3] + (0, 0, 0, 0, 0, -1)))
    assert today["since"] == midnight
    cdr_insert(d, int(time.time()), "0509999999", ALICE, "NO ANSWER")
    cdr_insert(d, midnight - 1, "0509999998", ALICE, "ANSWERED")   # yesterday
    now = d.ctl_json("calls-today")
    assert (now["total"], now["answered"], now["unanswered"]) == \
        (today["total"] + 1, today["answered"], today["unanswered"] + 1), (today, now)


def test_retention_deletes_old_records_and_recordings(pbx):
    d = pbx.daemons[0]
    recorded_call(pbx)
    day = 86400
    now = int(time.time())
    cdr_insert(d, now - 91 * day, "0507000091", ALICE)
    cdr_insert(d, now - 89 * day, "0507000089", ALICE)
    rec = pbx_dir(d, "recordings")
    files = {"old-31.wav": 31, "young-29.wav": 29, ".old-hidden": 40}
    for name, age in files.items():
        (rec / name).write_bytes(b"RIFF")
        os.utime(rec / name, (now - age * day, now - age * day))
    r = d.ctl_json("cdr-prune")
    assert r["records"] >= 1 and r["recordings"] == 1, r
    assert r["records_before"] == pytest.approx(now - 90 * day, abs=30)
    assert cdr_calls(d, "number=0507000091")["total"] == 0
    assert cdr_calls(d, "number=0507000089")["total"] == 1
    assert not (rec / "old-31.wav").exists() and (rec / "young-29.wav").exists()
    assert (rec / ".old-hidden").exists(), "only what a recording may be called is deleted"
    # the settings say how long
    d.ctl_ok("set", "cdr.retention_days", "30")
    d.ctl_ok("set", "cdr.recordings_retention_days", "7")
    apply_ok(d)
    assert d.ctl_json("cdr-prune")["recordings"] == 1
    assert cdr_calls(d, "number=0507000089")["total"] == 0
    assert not (rec / "young-29.wav").exists()
    # the recent call and its recording stay
    row, path = recorded_call(pbx)
    assert path.exists()
    cp = d.ctl("set", "cdr.retention_days", "0")
    assert cp.returncode != 0 and "cdr.retention_days" in cp.stderr, cp
    (rec / ".old-hidden").unlink()
    for path_, val in (("cdr.retention_days", "90"), ("cdr.recordings_retention_days", "30")):
        d.ctl_ok("set", path_, val)
    apply_ok(d)


def test_the_core_prunes_on_its_own_after_a_start(pbx):
    d = pbx.daemons[0]
    recorded_call(pbx)
    now, day = int(time.time()), 86400
    cdr_insert(d, now - 100 * day, "0507000100", ALICE)
    old = pbx_dir(d, "recordings", "old-40.wav")
    old.write_bytes(b"RIFF")
    os.utime(old, (now - 40 * day, now - 40 * day))
    # no request: the core's timer, 10 s after difosd started, then hourly
    d.stop()
    d.start("--pbx-root", str(pbx_lab.engine_root()))
    t = time.monotonic()
    wait_for(lambda: cdr_calls(d, "number=0507000100")["total"] == 0 and not old.exists(), 30,
             what="the timer's first prune")
    assert time.monotonic() - t >= 5, "pruned before the timer's first run"
    assert re.search(r"deleted [1-9][0-9]* call records and 1 recordings", d.log.read_text())
    row, path = recorded_call(pbx)
    assert path.exists()


def test_a_phone_registers_over_tls_with_the_routers_certificate(pbx):
    d, ph = pbx.daemons[0], pbx.phones
    ca = ph.tmp / "router.crt"
    shutil.copy(d.root / "etc/difos/tls/server.crt", ca)
    r = ph.register(ALICE, ALICE_PW, 5065, transport="tls", pbx_port=6069, tls_ca=ca)
    assert r.ok and r.responses == [401, 200], r.describe()
    bad = ph.register(ALICE, "not-alices-password", 5066, transport="tls", pbx_port=6069,
                      tls_ca=ca)
    assert bad.rc == 1 and bad.responses == [401, 401], bad.describe()

    # a certificate installed for the router: the PBX presents it at once
    new_ca = ph.make_ca("router-new")
    crt, key = ph.make_cert(new_ca, "router-new", LAN_ADDR)
    (ph.tmp / "new.crt").write_text(crt)
    (ph.tmp / "new.key").write_text(key)
    d.ctl_ok("certificate", ph.tmp / "new.crt", ph.tmp / "new.key")

    def trusted():
        return ph.register(ALICE, ALICE_PW, 5067, transport="tls", pbx_port=6069,
                           tls_ca=new_ca[0], timeout=3).ok
    wait_for(trusted, 15, interval=0.5, what="the PBX presenting the new certificate")
    assert not ph.register(ALICE, ALICE_PW, 5068, transport="tls", pbx_port=6069, tls_ca=ca,
                           timeout=3).ok
    d.ctl_ok("certificate", "--factory")


def test_the_quick_reload_reloads_asterisk_without_a_restart(pbx):
    """pbx.reload (the dashboard's quick action): Asterisk reloads every
    module over difos's manager connection, the same process goes on and
    the phones stay registered."""
    d, ph = pbx.daemons[0], pbx.phones
    pid = engine_pid(d)
    a = ph.register(ALICE, ALICE_PW, ALICE_SIP)
    assert a.ok, a.describe()
    mark = len(d.log.read_text())
    assert d.ctl_json("pbx-reload") == {"reloading": True}
    wait_for(lambda: "pbx: Reload: done" in d.log.read_text()[mark:], 10,
             what=lambda: "Asterisk's answer to the reload: %s" % d.log_tail(20))
    assert engine_pid(d) == pid, "Asterisk was restarted by a reload"
    assert "root reloads Asterisk" in d.log.read_text()[mark:]
    det = pbx_detail(d)
    assert det["manager"]["state"] == "connected", det["manager"]
    assert det["contacts"].get(ALICE), det["contacts"]


def test_adding_an_extension_reloads_without_a_restart(pbx):
    d, ph = pbx.daemons[0], pbx.phones
    pid = engine_pid(d)
    d.ctl_ok("add", "extensions.list", "name=Carol", "number=1003",
             "password=xkcd-936-Staple!battery")   # asked whether it answers (the default)
    t = time.monotonic()
    apply_ok(d)
    took = time.monotonic() - t
    assert engine_pid(d) == pid, "Asterisk was restarted for a new extension"
    assert took < 2, took
    r = ph.register("1003", "xkcd-936-Staple!battery", 5063)
    assert r.ok, r.describe()
    # a phone that does not answer the check shows so, and is not rung
    wait_for(lambda: (pbx_detail(d)["contacts"].get("1003") or [{}])[0].get("status") ==
             "Unreachable", 10, what="1003 seen unreachable")
    # a weak password is refused at once, naming the field
    cp = d.ctl("add", "extensions.list", "name=Dave", "number=1004", "password=123456789012")
    assert cp.returncode != 0, cp
    assert "extensions.list[" in cp.stderr and ".password: the password is too easy" in cp.stderr, cp


def test_a_trunk_carries_calls_out_without_the_prefix_and_in_to_its_default(pbx):
    d, ph = pbx.daemons[0], pbx.phones
    provider = Phones(pbx, pbx.wan, WAN_SERVER, pbx.router_wan_addr)
    # the sipp provider answers nothing between its scenarios: not checked
    d.ctl_ok("add", "trunks.list", "name=office", "host=" + WAN_SERVER,
             "port=%d" % PROVIDER_SIP, "dialout_prefix=8", "default_destination=" + BOB,
             "qualify=false")
    d.ctl_ok("add", "block_lists.list", "name=spam", 'numbers=["7654321"]')
    apply_ok(d)
    assert ph.register(ALICE, ALICE_PW, ALICE_SIP).ok
    assert ph.register(BOB, BOB_PW, BOB_SIP).ok

    # out: 8 + the number reaches the provider as the number, from Alice's
    # outbound caller ID
    uas = provider.answer(PROVIDER_SIP, PROVIDER_RTP)
    call = ph.call(ALICE, ALICE_PW, "8050123456789", ALICE_SIP, ALICE_RTP, talk_ms=1500)
    rc, ru = call.wait(30), uas.wait(10)
    assert rc.ok, rc.describe()
    assert ru.ok, ru.describe()
    invite = ru.messages[ru.messages.index("INVITE sip:"):]
    first_line = invite.splitlines()[0]
    assert first_line.startswith("INVITE sip:050123456789@"), first_line
    from_line = [ln for ln in invite.splitlines() if ln.lower().startswith("from:")][0]
    assert "+97142142050" in from_line, from_line
    # its call record names the trunk (from Asterisk's channel names); the
    # caller is the caller ID sent
    wait_for(lambda: cdr_calls(d, "number=8050123456789")["total"] == 1, 5,
             what="the outgoing call's record")
    out = cdr_calls(d, "number=8050123456789")["calls"][0]
    assert (out["src"], out["trunk"], out["disposition"]) == \
        ("+97142142050", "office", "ANSWERED"), out

    # in: a call to a DID without a route rings the trunk's default action
    # (Bob, answering on his phone)
    bob = ph.answer(BOB_SIP, BOB_RTP)
    inf = pbx.tmp / "provider-caller.csv"
    inf.write_text("SEQUENTIAL\n0501112233;\n")
    incoming = provider.sipp("in", "uac-trunk.xml", "-p", PROVIDER_SIP, "-mp", PROVIDER_RTP,
                             "-s", "2142050", "-inf", inf, "-d", 1500, "-timeout", "20s",
                             "-timeout_error").run(30)
    rb = bob.wait(10)
    assert incoming.ok, incoming.describe()
    assert rb.ok, rb.describe()
    assert "0501112233" in rb.messages[rb.messages.index("INVITE sip:"):].split("\n\n")[0]
    wait_for(lambda: cdr_calls(d, "number=0501112233")["total"] >= 1, 5,
             what="the incoming call's record")
    inc = cdr_calls(d, "number=0501112233")["calls"][0]
    assert inc["trunk"] == "office" and inc["disposition"] == "ANSWERED", inc

    # a caller whose number holds a blocked one is refused; a similar one is not
    inf.write_text("SEQUENTIAL\n+971507654321;\n")
    blocked = provider.sipp("blocked", "uac-trunk-refused.xml", "-p", PROVIDER_SIP,
                            "-s", "2142050", "-inf", inf, "-timeout", "10s",
                            "-timeout_error").run(20)
    assert blocked.ok and blocked.responses[-1] == 403, blocked.describe()
    bob = ph.answer(BOB_SIP, BOB_RTP)
    inf.write_text("SEQUENTIAL\n0507654320;\n")
    allowed = provider.sipp("allowed", "uac-trunk.xml", "-p", PROVIDER_SIP, "-mp", PROVIDER_RTP,
                            "-s", "2142050", "-inf", inf, "-d", 500, "-timeout", "20s",
                            "-timeout_error").run(30)
    assert allowed.ok, allowed.describe()
    assert bob.wait(10).ok


def ensure_trunk(d):
    """The office trunk of the trunk test (added if this test runs alone)."""
    trunks = d.ctl_json("get", "trunks.list")
    if not any(t["name"] == "office" for t in trunks):
        d.ctl_ok("add", "trunks.list", "name=office", "host=" + WAN_SERVER,
                 "port=%d" % PROVIDER_SIP, "dialout_prefix=8", "default_destination=" + BOB,
                 "qualify=false")
    return [t for t in d.ctl_json("get", "trunks.list") if t["name"] == "office"][0]["id"] \
        if trunks else d.ctl_json("get", "trunks.list")[0]["id"]


def preview(d, *args):
    return d.ctl_json("route-preview", *args)


def test_routes_take_calls_as_asterisk_orders_them_and_the_preview_says_so(pbx):
    d, ph = pbx.daemons[0], pbx.phones
    provider = Phones(pbx, pbx.wan, WAN_SERVER, pbx.router_wan_addr)
    trunk = ensure_trunk(d)
    d.ctl_ok("add", "call_routing.inbound", "name=sales", "pattern=_2142050", "destination=" + ALICE)
    d.ctl_ok("add", "call_routing.outbound", "name=local", "pattern=_20XX", "trunk=%d" % trunk,
             "caller_id=+97142142000")
    d.ctl_ok("add", "call_routing.outbound", "name=any", "pattern=_2X.", "trunk=%d" % trunk)
    # the preview reads the staged configuration: before the apply already
    p = preview(d, "2001")
    assert p["kind"] == "route" and p["route"]["pattern"] == "_20XX" and p["trunk"] == "office", p
    assert p["staged"] is True
    apply_ok(d)
    # _20XX is tried before _2X. (Asterisk's order, not the list's)
    assert preview(d, "2001")["route"]["pattern"] == "_20XX"
    assert preview(d, "21234")["route"]["pattern"] == "_2X."
    assert preview(d, "8050123456789") == dict(preview(d, "8050123456789"), kind="prefix",
                                                 sent="050123456789", trunk="office")
    assert preview(d, BOB)["kind"] == "extension"
    assert preview(d, "555")["kind"] == "none"
    assert preview(d, "2142050", "office")["destination"] == ALICE
    assert preview(d, "2142051", "office") == dict(preview(d, "2142051", "office"),
                                                    kind="default", destination=BOB)
    # a pattern Asterisk would misread is refused with the reason
    cp = d.ctl("add", "call_routing.outbound", "pattern=_20[X", "trunk=%d" % trunk)
    assert cp.returncode != 0 and "call_routing.outbound[" in cp.stderr and "_20[X" in cp.stderr, cp
    cp = d.ctl("add", "call_routing.outbound", "pattern=_20xx", "trunk=%d" % trunk)
    assert cp.returncode != 0 and "same pattern" in cp.stderr, cp

    assert ph.register(ALICE, ALICE_PW, ALICE_SIP).ok
    assert ph.register(BOB, BOB_PW, BOB_SIP).ok
    # in: the DID of the inbound route rings Alice, not the trunk's default
    alice = ph.answer(ALICE_SIP, ALICE_RTP)
    inf = pbx.tmp / "route-caller.csv"
    inf.write_text("SEQUENTIAL\n0501112233;\n")
    incoming = provider.sipp("route-in", "uac-trunk.xml", "-p", PROVIDER_SIP, "-mp", PROVIDER_RTP,
                             "-s", "2142050", "-inf", inf, "-d", 500, "-timeout", "20s",
                             "-timeout_error").run(30)
    assert incoming.ok, incoming.describe()
    assert alice.wait(10).ok
    # out: 2001 goes to the trunk as dialled, with the route's caller ID
    uas = provider.answer(PROVIDER_SIP, PROVIDER_RTP)
    call = ph.call(BOB, BOB_PW, "2001", BOB_SIP, BOB_RTP, talk_ms=500)
    rc, ru = call.wait(30), uas.wait(10)
    assert rc.ok, rc.describe()
    assert ru.ok, ru.describe()
    invite = ru.messages[ru.messages.index("INVITE sip:"):]
    assert invite.startswith("INVITE sip:2001@"), invite.splitlines()[0]
    from_line = [ln for ln in invite.splitlines() if ln.lower().startswith("from:")][0]
    assert "+97142142000" in from_line, from_line


def test_additions_asterisk_cannot_read_are_refused_and_the_pbx_goes_on(pbx):
    d, ph = pbx.daemons[0], pbx.phones
    pid = engine_pid(d)
    before = d.ctl_json("get", "pbx.pjsip_extra")
    d.ctl_ok("set", "pbx.pjsip_extra", json.dumps("[broken-endpoint\ntype = endpoint\n"))
    cp = d.ctl("apply", timeout=60)
    out = cp.stdout + cp.stderr
    assert cp.returncode != 0, out
    # Asterisk's own reader said why, and the file is named
    assert "pjsip.conf" in out and "Asterisk refuses" in out, out
    assert "line" in out and "of pjsip.conf" in out, out
    d.ctl_ok("discard")
    assert d.ctl_json("get", "pbx.pjsip_extra") == before
    # the PBX in force goes on: same process, phones register and call
    assert engine_pid(d) == pid
    assert ph.register(ALICE, ALICE_PW, ALICE_SIP).ok
    assert ph.register(BOB, BOB_PW, BOB_SIP).ok
    bob = ph.answer(BOB_SIP, BOB_RTP)
    alice = ph.call(ALICE, ALICE_PW, BOB, ALICE_SIP, ALICE_RTP, talk_ms=500)
    assert alice.wait(30).ok and bob.wait(10).ok
    # a file longer than a manager answer may be (16,384 lines) is read whole,
    # and answered small: 16,375 settings in a template (64 KiB of text)
    big = "[difos-test-template](!)\n" + "x=1\n" * 16375
    cp = d.ctl("set", "pbx.pjsip_extra", big)
    assert cp.returncode == 0, cp.stderr[-300:]
    cp = d.ctl("apply", timeout=60)
    assert cp.returncode == 0, (cp.stdout + cp.stderr)[-500:]
    assert engine_pid(d) == pid
    d.ctl_ok("set", "pbx.pjsip_extra", json.dumps(""))
    apply_ok(d)
    # additions Asterisk reads are appended and in force
    d.ctl_ok("set", "pbx.extensions_extra", json.dumps(
        "[difos-extensions]\nexten => 600,1,Answer()\n same => n,Wait(1)\n same => n,Hangup()\n"))
    apply_ok(d)
    assert preview(d, "600")["kind"] == "none"    # not a route difos knows: the user's own
    assert "600" in (d.root / "run/difos/pbx/etc/extensions.conf").read_text()


REGISTRAR_SIP = 5090


def registrations(d):
    return pbx_detail(d).get("registrations") or {}


def test_a_trunk_registers_with_its_credentials_and_a_wrong_password_shows(pbx):
    d = pbx.daemons[0]
    provider = Phones(pbx, pbx.wan, WAN_SERVER, pbx.router_wan_addr)
    creds = pbx.tmp / "registrar.csv"
    creds.write_text("SEQUENTIAL\n4971234;s3cret-Provider;\n")

    def registrar():
        # a few rounds: the PBX's checks (OPTIONS) may come before its REGISTER
        s = provider.sipp("registrar", "registrar.xml", "-p", REGISTRAR_SIP, "-inf", creds,
                          "-m", 5,
                          "-deadcall_wait", "20000", "-timeout", "20s", "-timeout_error").start()
        wait_for(lambda: ":%d " % REGISTRAR_SIP in ns_exec(pbx.wan, "ss", "-Hlun").stdout + " ",
                 5, interval=0.05, what="the registrar")
        return s

    reg = registrar()
    d.ctl_ok("add", "trunks.list", "name=prov", "host=" + WAN_SERVER, "port=%d" % REGISTRAR_SIP,
             "dialout_prefix=9", "authentication=true", "username=4971234",
             "password=s3cret-Provider", "qualify=false")
    apply_ok(d)
    wait_for(lambda: registrations(d).get("prov", {}).get("status") == "Registered", 10,
             what="the trunk registered")
    reg.proc.kill()
    reg.wait(5)
    trunk = [t for t in d.ctl_json("get", "trunks.list") if t["name"] == "prov"][0]
    # the provider refuses a wrong password: the trunk shows it
    reg = registrar()
    d.ctl_ok("set", "trunks.list[%d].password" % trunk["id"], "wrong-Password-1")
    apply_ok(d)
    wait_for(lambda: registrations(d).get("prov", {}).get("status") == "Rejected", 10,
             what="the trunk's registration rejected")
    reg.proc.kill()
    d.ctl_ok("delete", "trunks.list[%d]" % trunk["id"])
    apply_ok(d)
    wait_for(lambda: "prov" not in registrations(d), 5, what="the trunk's registration gone")


OUTSIDE = "203.0.113.50"     # a phone on the internet, beyond the upstream gateway
EXTERNAL = "203.0.113.7"     # the public address of the gateway the router is behind


def sdp_c(msg):
    return [ln.split()[-1] for ln in msg.splitlines() if ln.startswith("c=IN IP4")]


def test_behind_nat_outside_peers_get_the_external_address_inside_ones_the_routers(pbx):
    """nat-behind-gateway: the router's WAN is in the upstream gateway's LAN
    (a local subnet); a phone on the internet reaches it through that gateway."""
    d, ph = pbx.daemons[0], pbx.phones
    d.ctl_ok("set", "pbx.external_media_address", EXTERNAL)
    d.ctl_ok("set", "pbx.external_signaling_address", EXTERNAL)
    d.ctl_ok("set", "pbx.local_subnets", '["198.51.100.0/24"]')
    d.ctl_ok("set", "pbx.open_on_wan", "true")
    apply_ok(d)
    ns_exec(pbx.wan, "ip", "addr", "add", OUTSIDE + "/32", "dev", "eth0", check=True)
    try:
        outside = Phones(pbx, pbx.wan, OUTSIDE, pbx.router_wan_addr)
        # opened on the WAN only from another network: the firewall drops it
        d.ctl_ok("set", "pbx.open_on_wan_from", '["192.0.2.0/24"]')
        apply_ok(d)
        r = outside.register(ALICE, ALICE_PW, ALICE_SIP, timeout=3)
        assert not r.ok and r.responses == [], r.describe()
        d.ctl_ok("set", "pbx.open_on_wan_from", '["203.0.113.0/24"]')
        apply_ok(d)
        r = outside.register(ALICE, ALICE_PW, ALICE_SIP)
        assert r.ok, r.describe()
        assert ph.register(BOB, BOB_PW, BOB_SIP).ok
        alice = outside.answer(ALICE_SIP, ALICE_RTP)
        bob = ph.call(BOB, BOB_PW, ALICE, BOB_SIP, BOB_RTP, talk_ms=500)
        rb, ra = bob.wait(30), alice.wait(10)
        assert rb.ok, rb.describe()
        assert ra.ok, ra.describe()
        # to the phone outside: the external address in the SDP and the Contact
        invite = ra.messages[ra.messages.index("INVITE sip:"):].split("\n\n\n")[0]
        assert sdp_c(invite) == [EXTERNAL], invite
        contact = [ln for ln in invite.splitlines() if ln.lower().startswith("contact:")][0]
        assert EXTERNAL in contact, contact
        # to the phone inside: the router's own LAN address
        answer = [m for m in rb.messages.split("SIP/2.0 200 OK")[1:] if "INVITE" in m.split(
            "\n\n\n")[0]][0].split("\n\n\n")[0]
        assert sdp_c(answer) == [LAN_ADDR], answer
    finally:
        ns_exec(pbx.wan, "ip", "addr", "del", OUTSIDE + "/32", "dev", "eth0")
        for key in ("external_media_address", "external_signaling_address"):
            d.ctl("delete", "pbx." + key)
        d.ctl_ok("set", "pbx.local_subnets", "[]")
        d.ctl_ok("set", "pbx.open_on_wan_from", "[]")
        d.ctl_ok("set", "pbx.open_on_wan", "false")
        apply_ok(d)


def test_a_port_change_restarts_asterisk_on_the_new_port(pbx):
    d = pbx.daemons[0]
    pid = engine_pid(d)
    d.ctl_ok("set", "pbx.udp_port", "5060")
    apply_ok(d)
    assert engine_pid(d) != pid
    ph = Phones(pbx, pbx.lan, CLIENT, LAN_ADDR, port=5060)
    r = ph.register(ALICE, ALICE_PW, ALICE_SIP)
    assert r.ok, r.describe()
    old = pbx.phones.register(ALICE, ALICE_PW, 5064, timeout=3)
    assert not old.ok, (old.describe(), ns_exec(pbx.router, "ss", "-lunp").stdout)
    d.ctl_ok("set", "pbx.udp_port", "6067")
    apply_ok(d)


def test_no_extension_no_asterisk(pbx):
    d = pbx.daemons[0]
    for path in ("call_routing.inbound", "call_routing.outbound", "trunks.list",
                 "extensions.list"):
        d.ctl_ok("set", path, "[]")
    apply_ok(d)
    det = pbx_detail(d)
    assert not det["wanted"]
    assert not (det.get("engine") or {}).get("running"), det
    assert ns_exec(pbx.router, "ss", "-Hlun", "sport = :6067").stdout.strip() == ""
